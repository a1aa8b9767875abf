import type { AppKey, PortalMe } from '@keywarden/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { PORTAL_REVOKE_CONFIRMATION } from '../../../components/keys/key-actions';
import { KeyDetails } from '../../../components/keys/KeyDetails';
import { RotateKeyDialog } from '../../../components/keys/RotateKeyDialog';
import { rotationUnavailable } from '../../../components/keys/rotation';
import { ExplainedButton } from '../../../components/ExplainedButton';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { UsageCard } from '../../../components/UsageCard';
import { usePortalKey, useRevokePortalKey, useRotatePortalKey } from '../api/portal';

const REVOKE = PORTAL_REVOKE_CONFIRMATION;

export default function PortalKeyPage({ me }: { me: PortalMe }) {
  const { keyId = '' } = useParams();
  const key = usePortalKey(keyId);
  if (key.isPending) return <Loading />;
  if (key.isError) {
    return (
      <>
        <ErrorMessage error={key.error} />
        <p>
          <Link to="/keys">Back to your keys</Link>
        </p>
      </>
    );
  }
  return <PortalKey appKey={key.data} me={me} />;
}

function PortalKey({ appKey, me }: { appKey: AppKey; me: PortalMe }) {
  const [rotating, setRotating] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const rotate = useRotatePortalKey(appKey.id);
  const revoke = useRevokePortalKey(appKey.id);
  const open = appKey.status !== 'revoked';
  const can = (permission: PortalMe['permissions'][number]) => me.permissions.includes(permission);
  return (
    <>
      <PageHeader title={appKey.name} description={<code>{appKey.id}</code>}>
        <StatusBadge status={appKey.status} />
        {open && can('keys.rotate') && (
          <ExplainedButton unavailable={rotationUnavailable(appKey, 'customer')} className="button-secondary" onClick={() => setRotating(true)}>
            Rotate
          </ExplainedButton>
        )}
        {open && can('keys.revoke') && (
          <button type="button" className="button-danger" onClick={() => setRevoking(true)}>
            Revoke
          </button>
        )}
      </PageHeader>
      <KeyDetails appKey={appKey} />
      {can('usage.read') && (
        <UsageCard filter={{ keyId: appKey.id }} path="/v1/portal/usage" spend emptyHint="Calls made with this key show here within seconds." />
      )}
      <RotateKeyDialog rotate={rotate} open={rotating} onClose={() => setRotating(false)} />
      <ConfirmDialog
        open={revoking}
        title={REVOKE.title}
        confirmLabel={REVOKE.label}
        danger
        pending={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          revoke.reset();
          setRevoking(false);
        }}
        onConfirm={() => revoke.mutate(undefined, { onSuccess: () => setRevoking(false) })}
      >
        <p>{REVOKE.text}</p>
      </ConfirmDialog>
    </>
  );
}
