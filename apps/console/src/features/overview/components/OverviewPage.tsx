import type { Alert, Page } from '@keywarden/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { AppSelect } from '../../../components/AppSelect';
import { outcomeSeries, pivotSeries, TimeSeriesChart } from '../../../components/charts';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { api, ApiRequestError } from '../../../lib/api-client';
import { useAppOptions } from '../../../lib/app-options';
import { formatNumber, formatRelative } from '../../../lib/format';
import { useHasScope } from '../../../lib/signed-in-actor';
import { queryKeys } from '../../../lib/query-keys';
import { bucketsOf, rangeEndingNow, USAGE_RANGES, useUsage } from '../../../lib/usage';

const LAST_HOUR = USAGE_RANGES[0];

export default function OverviewPage() {
  const apps = useAppOptions();
  const [chosen, setChosen] = useState('');
  const appId = chosen || apps.data?.[0]?.id || '';
  if (apps.isPending) return <Loading />;
  if (apps.isError) return <ErrorMessage error={apps.error} />;
  return (
    <>
      <PageHeader title="Overview" description="The last hour of one app: verifies per minute, refusals by code, open alerts.">
        {appId && <AppSelect value={appId} onChange={setChosen} />}
      </PageHeader>
      {appId ? (
        <AppOverview appId={appId} />
      ) : (
        <EmptyState title="Nothing to show yet">
          <Link to="/apps">Create an app</Link>, then a key for it: its verifies appear here within seconds.
        </EmptyState>
      )}
    </>
  );
}

function AppOverview({ appId }: { appId: string }) {
  const window = useMemo(() => rangeEndingNow(LAST_HOUR), []);
  const usage = useUsage({ appId, granularity: 'minute', ...window, groupBy: 'outcome' });
  // A role that may not read alerts is not sent for them: the tile and the section say what it needs.
  const canReadAlerts = useHasScope()('alerts.read');
  const alerts = useQuery({
    queryKey: [...queryKeys.alerts, 'open', appId],
    queryFn: () => api.get<Page<Alert>>('/v1/alerts', { appId, status: 'open', limit: 10 }),
    enabled: canReadAlerts,
  });
  const chart = useMemo(
    () => usage.data && pivotSeries(usage.data.series, (point) => point.outcome ?? 'all', (point) => point.requests, bucketsOf(window.from, window.to, 'minute')),
    [usage.data, window],
  );
  const refusals = useMemo(() => {
    const byCode = new Map<string, number>();
    for (const point of usage.data?.series ?? []) {
      if (point.outcome && point.outcome !== 'VALID') byCode.set(point.outcome, (byCode.get(point.outcome) ?? 0) + point.requests);
    }
    return [...byCode.entries()].sort((a, b) => b[1] - a[1]);
  }, [usage.data]);
  const refused = refusals.reduce((sum, [, count]) => sum + count, 0);
  return (
    <>
      <div className="stats">
        <StatTile label="Requests, last hour" value={usage.data && formatNumber(usage.data.totals.requests)} error={usage.error} />
        <StatTile label="Refused" value={usage.data && formatNumber(refused)} error={usage.error} />
        <StatTile
          label="Open alerts"
          value={canReadAlerts ? alerts.data && formatNumber(alerts.data.data.length) + (alerts.data.nextCursor ? '+' : '') : 'No access'}
          error={alerts.error}
          note={canReadAlerts ? undefined : 'needs alerts.read'}
        />
      </div>
      <section className="card" aria-labelledby="verifies">
        <h2 id="verifies">Verifies per minute</h2>
        {usage.isPending && <Loading />}
        <ErrorMessage error={usage.error} />
        {chart && chart.groups.length === 0 && <EmptyState title="No traffic in the last hour">Verify one of this app's keys and it shows here within seconds.</EmptyState>}
        {chart && chart.groups.length > 0 && (
          <TimeSeriesChart
            title="Requests per minute by outcome"
            data={chart.data}
            series={outcomeSeries(chart.groups)}
          />
        )}
      </section>
      <div className="grid-2">
        <section className="card" aria-labelledby="refusals">
          <h2 id="refusals">Refusals by code</h2>
          {refusals.length === 0 ? (
            <p className="muted">No refused requests in the last hour.</p>
          ) : (
            <table>
              <caption className="visually-hidden">Refusals by code</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Requests</th>
                </tr>
              </thead>
              <tbody>
                {refusals.map(([code, count]) => (
                  <tr key={code}>
                    <td>
                      <code>{code}</code>
                    </td>
                    <td>{formatNumber(count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="open-alerts">
          <h2 id="open-alerts">Open alerts</h2>
          {!canReadAlerts && (
            <p className="muted">
              Your admin key lacks <code>alerts.read</code>, so open alerts are not shown here.
            </p>
          )}
          <ErrorMessage error={alerts.error} />
          {alerts.data && alerts.data.data.length === 0 && <p className="muted">No open alerts. Detection watches every key of this app.</p>}
          <ul className="plain-list">
            {alerts.data?.data.map((alert) => (
              <li key={alert.id}>
                <Link to={`/alerts/${alert.id}`}>{alert.type.replace('_', ' ')}</Link> on <code>{alert.keyId}</code> <StatusBadge status={alert.severity} />{' '}
                <span className="muted small">{formatRelative(alert.lastDetectedAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}

/**
 * One number of the tiles. A failed request ends the loading mark: the tile says the role
 * may not read it (or shows a dash, the section below giving the API's message); `note`
 * says what a number the role may not read needs.
 */
function StatTile({ label, value, error, note }: { label: string; value: string | undefined; error: Error | null; note?: string }) {
  const unavailable = error instanceof ApiRequestError && error.status === 403 ? 'No access' : '—';
  return (
    <div className="stat">
      <div className="muted small">{label}</div>
      <div className="stat-value">{value ?? (error ? unavailable : '…')}</div>
      {note && <div className="muted small">{note}</div>}
    </div>
  );
}
