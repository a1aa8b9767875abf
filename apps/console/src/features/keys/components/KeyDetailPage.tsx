import type { AppKey, KeyContainment } from '@keywarden/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { KEY_ACTION_CONFIRMATION, type KeyAction } from '../../../components/keys/key-actions';
import { KeyDetails } from '../../../components/keys/KeyDetails';
import { RotateKeyDialog } from '../../../components/keys/RotateKeyDialog';
import { rotationUnavailable } from '../../../components/keys/rotation';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { UsageCard } from '../../../components/UsageCard';
import { formatDateTime } from '../../../lib/format';
import { useKey, useKeyAction, useRotateKey } from '../api/keys';
import { AccessLog } from './AccessLog';
import { ReportLeakDialog } from './ReportLeakDialog';
import { ScopedButton } from '../../../components/ScopedButton';
import { useHasScope } from '../../../lib/signed-in-actor';

export default function KeyDetailPage() {
  const { keyId = '' } = useParams();
  const key = useKey(keyId);
  if (key.isPending) return <Loading />;
  if (key.isError) return <ErrorMessage error={key.error} />;
  return <KeyDetail appKey={key.data} />;
}

function KeyDetail({ appKey }: { appKey: AppKey }) {
  const [rotating, setRotating] = useState(false);
  const [reportingLeak, setReportingLeak] = useState(false);
  const [confirming, setConfirming] = useState<KeyAction | null>(null);
  const rotate = useRotateKey(appKey.id);
  const revoke = useKeyAction(appKey.id, 'revoke');
  const disable = useKeyAction(appKey.id, 'disable');
  const enable = useKeyAction(appKey.id, 'enable');
  const mutations = { revoke, disable, enable };
  const pending = confirming ? mutations[confirming] : null;
  const confirmation = confirming ? KEY_ACTION_CONFIRMATION[confirming] : null;
  const open = appKey.status !== 'revoked';
  const canReadAlerts = useHasScope()('alerts.read');
  return (
    <>
      <PageHeader title={appKey.name} description={<>{appKey.description ?? <code>{appKey.id}</code>}</>}>
        <StatusBadge status={appKey.status} />
        {canReadAlerts && (
          <Link className="button-secondary" to={`/alerts?keyId=${encodeURIComponent(appKey.id)}`}>
            Alerts about this key
          </Link>
        )}
        {open && (
          <>
            <ScopedButton scope="keys.write" unavailable={rotationUnavailable(appKey, 'operator')} className="button-secondary" onClick={() => setRotating(true)}>
              Rotate
            </ScopedButton>
            {appKey.status === 'disabled' ? (
              <ScopedButton scope="keys.write" className="button-secondary" onClick={() => setConfirming('enable')}>
                Enable
              </ScopedButton>
            ) : (
              <ScopedButton scope="keys.write" className="button-secondary" onClick={() => setConfirming('disable')}>
                Disable
              </ScopedButton>
            )}
            <ScopedButton scope="keys.revoke" className="button-danger" onClick={() => setConfirming('revoke')}>
              Revoke
            </ScopedButton>
          </>
        )}
        {!appKey.canary && (
          <ScopedButton scope="keys.revoke" className="button-danger" onClick={() => setReportingLeak(true)}>
            Report leak
          </ScopedButton>
        )}
      </PageHeader>
      {appKey.containment && <ContainmentCard containment={appKey.containment} />}
      <KeyDetails appKey={appKey} operator />
      <UsageCard filter={{ keyId: appKey.id }} emptyHint="Verify the key once and its traffic shows here within seconds." />
      <AccessLog keyId={appKey.id} />
      <ReportLeakDialog appKey={appKey} open={reportingLeak} onClose={() => setReportingLeak(false)} />
      <RotateKeyDialog rotate={rotate} open={rotating} onClose={() => setRotating(false)} />
      <ConfirmDialog
        open={confirmation !== null}
        title={confirmation?.title ?? ''}
        confirmLabel={confirmation?.label ?? ''}
        danger={confirmation?.danger}
        pending={pending?.isPending}
        error={pending?.error}
        onClose={() => {
          pending?.reset();
          setConfirming(null);
        }}
        onConfirm={() => pending?.mutate(undefined, { onSuccess: () => setConfirming(null) })}
      >
        <p>{confirmation?.text}</p>
      </ConfirmDialog>
    </>
  );
}

/** What each containment does to the key, in words. */
function containedAs(containment: KeyContainment): string {
  switch (containment.action) {
    case 'throttle':
      return `Throttled to ${containment.rateLimitPerMinute ?? '?'} requests a minute (RATE_LIMITED above it)`;
    case 'block_model':
      return `Model ${containment.model ?? '?'} blocked (MODEL_NOT_ALLOWED); other models work`;
    default:
      return 'Disabled: verify refuses the key (KEY_DISABLED)';
  }
}

/** A detector alert's containment in force on the key: what, since when, by which alert. */
function ContainmentCard({ containment }: { containment: KeyContainment }) {
  return (
    <section className="card containment" aria-labelledby="key-containment">
      <h2 id="key-containment">Contained</h2>
      <p className="warning">{containedAs(containment)}</p>
      <dl className="details">
        <dt>By alert</dt>
        <dd>
          <Link to={`/alerts/${containment.alertId}`}>
            {containment.alertType.replace('_', ' ')} alert {containment.alertId}
          </Link>
        </dd>
        <dt>Since</dt>
        <dd>{formatDateTime(containment.since)}</dd>
        <dt>Why</dt>
        <dd>{containment.reason}</dd>
      </dl>
      <p className="muted small">It holds until the alert is resolved or someone lifts it on the alert's page ("Lift containment").</p>
    </section>
  );
}

