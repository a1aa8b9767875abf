import type { Alert } from '@keywarden/core';
import { Link, useParams } from 'react-router';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime } from '../../../lib/format';
import { useAlert, useAlertAction } from '../api/alerts';
import { EvidenceChart } from './EvidenceChart';

export default function AlertDetailPage() {
  const { alertId = '' } = useParams();
  const alert = useAlert(alertId);
  if (alert.isPending) return <Loading />;
  if (alert.isError) return <ErrorMessage error={alert.error} />;
  return <AlertDetail alert={alert.data} />;
}

function AlertDetail({ alert }: { alert: Alert }) {
  const acknowledge = useAlertAction(alert.id, 'acknowledge');
  const resolve = useAlertAction(alert.id, 'resolve');
  const { observed, expected, window, baselineHours, ...more } = alert.evidence;
  return (
    <>
      <PageHeader title={`${alert.type.replace('_', ' ')} alert`} description={<code>{alert.id}</code>}>
        <StatusBadge status={alert.severity} />
        <StatusBadge status={alert.status} />
        {alert.status === 'open' && (
          <button type="button" className="button-secondary" disabled={acknowledge.isPending} onClick={() => acknowledge.mutate()}>
            Acknowledge
          </button>
        )}
        {alert.status !== 'resolved' && (
          <button type="button" className="button-primary" disabled={resolve.isPending} onClick={() => resolve.mutate()}>
            Resolve
          </button>
        )}
      </PageHeader>
      <ErrorMessage error={acknowledge.error ?? resolve.error} />
      <section className="card" aria-labelledby="evidence">
        <h2 id="evidence">Evidence</h2>
        <EvidenceChart alert={alert} />
        <dl className="details">
          <dt>Observed</dt>
          <dd>
            {observed} in {window}
          </dd>
          <dt>Expected</dt>
          <dd>
            {expected} in {window}
          </dd>
          <dt>Baseline</dt>
          <dd>{baselineHours} hours of history</dd>
          {Object.keys(more).length > 0 && (
            <>
              <dt>More</dt>
              <dd>
                <pre className="json">{JSON.stringify(more, null, 2)}</pre>
              </dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="alert-details">
        <h2 id="alert-details">Details</h2>
        <dl className="details">
          <dt>Key</dt>
          <dd>
            <Link to={`/keys/${alert.keyId}`}>{alert.keyId}</Link>
          </dd>
          <dt>App</dt>
          <dd>
            <Link to={`/apps/${alert.appId}`}>{alert.appId}</Link>
          </dd>
          <dt>Model</dt>
          <dd>{alert.model ?? '—'}</dd>
          <dt>Detected</dt>
          <dd>
            {formatDateTime(alert.detectedAt)}; last {formatDateTime(alert.lastDetectedAt)} ({alert.occurrences}×)
          </dd>
          <dt>Acknowledged</dt>
          <dd>{alert.acknowledgedAt ? `${formatDateTime(alert.acknowledgedAt)} by ${alert.acknowledgedBy}` : '—'}</dd>
          <dt>Resolved</dt>
          <dd>{alert.resolvedAt ? `${formatDateTime(alert.resolvedAt)} (${alert.resolution === 'admin' ? `by ${alert.resolvedBy}` : 'quiet period'})` : '—'}</dd>
        </dl>
      </section>
    </>
  );
}
