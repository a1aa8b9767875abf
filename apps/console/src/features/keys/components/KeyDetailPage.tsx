import type { AppKey } from '@keywarden/core';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { KEY_ACTION_CONFIRMATION, type KeyAction } from '../../../components/keys/key-actions';
import { KeyDetails } from '../../../components/keys/KeyDetails';
import { RotateKeyDialog } from '../../../components/keys/RotateKeyDialog';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { UsageCard } from '../../../components/UsageCard';
import { useKey, useKeyAction, useRotateKey } from '../api/keys';
import { AccessLog } from './AccessLog';

export default function KeyDetailPage() {
  const { keyId = '' } = useParams();
  const key = useKey(keyId);
  if (key.isPending) return <Loading />;
  if (key.isError) return <ErrorMessage error={key.error} />;
  return <KeyDetail appKey={key.data} />;
}

function KeyDetail({ appKey }: { appKey: AppKey }) {
  const [rotating, setRotating] = useState(false);
  const [confirming, setConfirming] = useState<KeyAction | null>(null);
  const rotate = useRotateKey(appKey.id);
  const revoke = useKeyAction(appKey.id, 'revoke');
  const disable = useKeyAction(appKey.id, 'disable');
  const enable = useKeyAction(appKey.id, 'enable');
  const mutations = { revoke, disable, enable };
  const pending = confirming ? mutations[confirming] : null;
  const open = appKey.status !== 'revoked';
  return (
    <>
      <PageHeader title={appKey.name} description={<>{appKey.description ?? <code>{appKey.id}</code>}</>}>
        <StatusBadge status={appKey.status} />
        {open && (
          <>
            <button type="button" className="button-secondary" onClick={() => setRotating(true)}>
              Rotate
            </button>
            {appKey.status === 'disabled' ? (
              <button type="button" className="button-secondary" onClick={() => setConfirming('enable')}>
                Enable
              </button>
            ) : (
              <button type="button" className="button-secondary" onClick={() => setConfirming('disable')}>
                Disable
              </button>
            )}
            <button type="button" className="button-danger" onClick={() => setConfirming('revoke')}>
              Revoke
            </button>
          </>
        )}
      </PageHeader>
      <KeyDetails appKey={appKey} operator />
      <UsageCard filter={{ keyId: appKey.id }} emptyHint="Verify the key once and its traffic shows here within seconds." />
      <AccessLog keyId={appKey.id} />
      <RotateKeyDialog rotate={rotate} open={rotating} onClose={() => setRotating(false)} />
      {confirming && (
        <ConfirmDialog
          open
          title={KEY_ACTION_CONFIRMATION[confirming].title}
          confirmLabel={KEY_ACTION_CONFIRMATION[confirming].label}
          danger={KEY_ACTION_CONFIRMATION[confirming].danger}
          pending={pending?.isPending}
          error={pending?.error}
          onClose={() => {
            pending?.reset();
            setConfirming(null);
          }}
          onConfirm={() => pending?.mutate(undefined, { onSuccess: () => setConfirming(null) })}
        >
          <p>{KEY_ACTION_CONFIRMATION[confirming].text}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
