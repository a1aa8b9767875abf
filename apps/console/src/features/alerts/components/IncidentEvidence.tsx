import type { Alert, LeakEvidence as LeakEvidenceData, LeakReportRecord } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../../../components/DataTable';
import { formatDateTime, formatNumber, formatRelative } from '../../../lib/format';

/**
 * Evidence of the alerts that are not about traffic against a baseline: a used canary (its
 * uses) and a reported leak (its reports and what was done). Canary uses are never metered,
 * so a requests-per-minute chart would always be flat; these show the facts as text.
 */

/** One use of a canary, as the alert's evidence keeps it. */
interface CanaryUse {
  ip: string | null;
  model: string | null;
  userAgent: string | null;
  surface: string | null;
  usedAt: string;
}

const useColumn = createColumnHelper<CanaryUse>();
const USE_COLUMNS = [
  useColumn.accessor('usedAt', { header: 'Time', cell: (cell) => formatDateTime(cell.getValue()) }),
  useColumn.accessor('ip', { header: 'IP', cell: (cell) => <code>{cell.getValue() ?? '—'}</code> }),
  useColumn.accessor('model', { header: 'Model', cell: (cell) => cell.getValue() ?? '—' }),
  useColumn.accessor('userAgent', { header: 'User agent', cell: (cell) => <span className="break">{cell.getValue() ?? '—'}</span> }),
  useColumn.accessor('surface', { header: 'Where', cell: (cell) => (cell.getValue() === 'api' ? "Keywarden's API" : 'verify') }),
];

export function CanaryEvidence({ alert }: { alert: Alert }) {
  const uses = Array.isArray(alert.evidence.uses) ? (alert.evidence.uses as CanaryUse[]) : [];
  return (
    <section className="card incident-evidence" aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      <p>
        A canary key was presented {alert.occurrences === 1 ? 'once' : `${alert.occurrences} times`}: someone holds a key that was never handed
        out. Treat the place it was planted as compromised.
      </p>
      <h3 id="canary-uses">Latest uses{uses.length > 0 && ` (${uses.length})`}</h3>
      {uses.length > 0 ? (
        <DataTable caption="Canary uses" columns={USE_COLUMNS} data={uses} rowKey={(use) => `${use.usedAt}-${use.ip}-${use.userAgent}`} />
      ) : (
        <p className="muted">No use recorded.</p>
      )}
    </section>
  );
}

const reportColumn = createColumnHelper<LeakReportRecord>();
const REPORT_COLUMNS = [
  reportColumn.accessor('reportedAt', { header: 'Reported', cell: (cell) => formatDateTime(cell.getValue()) }),
  reportColumn.accessor('reportedBy', { header: 'By', cell: (cell) => (cell.getValue() === 'github' ? 'GitHub secret scanning' : <code>{cell.getValue()}</code>) }),
  reportColumn.accessor('source', { header: 'Source', cell: (cell) => cell.getValue() ?? '—' }),
  reportColumn.accessor('url', { header: 'URL', cell: (cell) => <ExternalUrl url={cell.getValue()} /> }),
];

/** A reported URL: a link only when it is http(s), never a script. */
function ExternalUrl({ url }: { url: string | null }) {
  if (!url) return <>—</>;
  if (!/^https?:\/\//i.test(url)) return <span className="break">{url}</span>;
  return (
    <a className="break" href={url} rel="noreferrer noopener" target="_blank">
      {url}
    </a>
  );
}

/** The leading values of a key's traffic (IPs, models) with their request counts. */
function RequestShares({ shares }: { shares: Array<{ name: string; requests: number }> }) {
  if (shares.length === 0) return <>—</>;
  return (
    <>
      {shares.map((share) => (
        <code key={share.name} className="chip">
          {share.name} ({formatNumber(share.requests)})
        </code>
      ))}
    </>
  );
}

const ACTION_TEXT: Record<LeakEvidenceData['action'], string> = {
  revoked: 'revoked the key',
  disabled: 'disabled the key',
  none: 'nothing changed (the key was already refused, or the app only notifies)',
};

export function LeakEvidence({ alert }: { alert: Alert }) {
  const evidence = alert.evidence as unknown as Partial<LeakEvidenceData>;
  const reports = evidence.reports ?? [];
  return (
    <section className="card incident-evidence" aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      <dl className="details">
        <dt>Found at</dt>
        <dd>{evidence.source ?? '—'}</dd>
        <dt>URL</dt>
        <dd>
          <ExternalUrl url={evidence.url ?? null} />
        </dd>
        <dt>First reported</dt>
        <dd>{formatDateTime(evidence.firstReportedAt)}</dd>
        <dt>Action</dt>
        <dd>
          {evidence.action ? ACTION_TEXT[evidence.action] : '—'}
          {evidence.leakResponse && <> (leak response: {evidence.leakResponse})</>}
        </dd>
        <dt>Last used</dt>
        <dd>{formatRelative(evidence.lastUsedAt ?? null)}</dd>
        <dt>Requests</dt>
        <dd>{formatNumber(alert.evidence.observed)} in the 24 h before the first report</dd>
        <dt>Top IPs</dt>
        <dd>
          <RequestShares shares={(evidence.topIps ?? []).map((share) => ({ name: share.ip, requests: share.requests }))} />
        </dd>
        <dt>Top models</dt>
        <dd>
          <RequestShares shares={(evidence.topModels ?? []).map((share) => ({ name: share.model, requests: share.requests }))} />
        </dd>
      </dl>
      <h3 id="leak-reports">Reports{reports.length > 0 && ` (${reports.length})`}</h3>
      {reports.length > 0 ? (
        <DataTable caption="Leak reports" columns={REPORT_COLUMNS} data={reports} rowKey={(report) => `${report.reportedAt}-${report.reportedBy}`} />
      ) : (
        <p className="muted">No report recorded.</p>
      )}
    </section>
  );
}
