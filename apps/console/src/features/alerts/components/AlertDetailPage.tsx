import type { Alert } from '@keywarden/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime } from '../../../lib/format';
import { useAlert, useAlertAction, useAlertKey, useLiftContainment } from '../api/alerts';
import { CanaryEvidence, LeakEvidence } from './IncidentEvidence';
import { EvidenceChart } from './EvidenceChart';
import { ScopedButton } from '../../../components/ScopedButton';

export default function AlertDetailPage() {
  const { alertId = '' } = useParams();
  const alert = useAlert(alertId);
  if (alert.isPending) return <Loading />;
  if (alert.isError) return <ErrorMessage error={alert.error} />;
  return <AlertDetail alert={alert.data} />;
}

function AlertDetail({ alert }: { alert: Alert }) {
  const acknowledge = useAlertAction(alert.id, alert.keyId, 'acknowledge');
  const resolve = useAlertAction(alert.id, alert.keyId, 'resolve');
  const key = useAlertKey(alert.keyId);
  const lift = useLiftContainment(alert.id, alert.keyId);
  const [lifting, setLifting] = useState(false);
  // The alert holds a containment when its key names it as the one in force.
  const containment = key.data?.containment?.alertId === alert.id ? key.data.containment : null;
  return (
    <>
      <PageHeader title={`${alert.type.replace('_', ' ')} alert`} description={<code>{alert.id}</code>}>
        <StatusBadge status={alert.severity} />
        <StatusBadge status={alert.status} />
        {alert.status === 'open' && (
          <ScopedButton scope="alerts.write" className="button-secondary" disabled={acknowledge.isPending} onClick={() => acknowledge.mutate()}>
            Acknowledge
          </ScopedButton>
        )}
        {alert.status !== 'resolved' && (
          <ScopedButton scope="alerts.write" className="button-primary" disabled={resolve.isPending} onClick={() => resolve.mutate()}>
            Resolve
          </ScopedButton>
        )}
        {containment && (
          <ScopedButton scope="alerts.write" className="button-secondary" onClick={() => setLifting(true)}>
            Lift containment
          </ScopedButton>
        )}
      </PageHeader>
      <ErrorMessage error={acknowledge.error ?? resolve.error} />
      {containment && (
        <p className="warning">
          This alert contains its key:{' '}
          {containment.action === 'throttle'
            ? `throttled to ${containment.rateLimitPerMinute ?? '?'} requests a minute`
            : containment.action === 'block_model'
              ? `model ${containment.model ?? '?'} blocked`
              : 'disabled'}{' '}
          since {formatDateTime(containment.since)}.
        </p>
      )}
      {alert.type === 'canary_used' ? (
        <CanaryEvidence alert={alert} />
      ) : alert.type === 'leak' ? (
        <LeakEvidence alert={alert} />
      ) : (
        <DetectorEvidence alert={alert} />
      )}
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
      <ConfirmDialog
        open={lifting && containment !== null}
        title="Lift this containment?"
        confirmLabel="Lift containment"
        pending={lift.isPending}
        error={lift.error}
        onClose={() => {
          lift.reset();
          setLifting(false);
        }}
        onConfirm={() => lift.mutate(undefined, { onSuccess: () => setLifting(false) })}
      >
        <p>
          The key works normally again at once, on every API instance. The alert stays {alert.status} for the record; resolve it when the
          incident is over.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** A detector's evidence: the key's traffic around the alert against the expected level. */
function DetectorEvidence({ alert }: { alert: Alert }) {
  const { observed, expected, window, baselineHours, ...more } = alert.evidence;
  return (
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
  );
}
