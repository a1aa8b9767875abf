import type { AppKey, KeySecretVersion } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { type KeyAction, useKey, useKeyAction } from '../api/keys';
import { AccessLog } from './AccessLog';
import { KeyUsageChart } from './KeyUsageChart';
import { RotateKeyDialog } from './RotateKeyDialog';

const secretColumn = createColumnHelper<KeySecretVersion>();
const secretColumns = [
  secretColumn.accessor('prefix', { header: 'Prefix', cell: (cell) => <code>{cell.getValue()}…</code> }),
  secretColumn.accessor('current', { header: 'Version', cell: (cell) => (cell.getValue() ? 'current' : 'previous') }),
  secretColumn.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
  secretColumn.accessor('expiresAt', { header: 'Stops working', cell: (cell) => formatDateTime(cell.getValue(), 'with the key') }),
];

const CONFIRM: Record<KeyAction, { title: string; label: string; text: string; danger: boolean }> = {
  revoke: {
    title: 'Revoke this key?',
    label: 'Revoke key',
    text: 'Every API instance refuses the key at once. Revocation is final: to pause a key, disable it instead.',
    danger: true,
  },
  disable: { title: 'Disable this key?', label: 'Disable key', text: 'Verify refuses the key (KEY_DISABLED) until you enable it again.', danger: false },
  enable: { title: 'Enable this key?', label: 'Enable key', text: 'The key verifies again.', danger: false },
};

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
      <section className="card" aria-labelledby="key-details">
        <h2 id="key-details">Details</h2>
        <dl className="details">
          <dt>Id</dt>
          <dd>
            <code>{appKey.id}</code>
          </dd>
          <dt>App</dt>
          <dd>
            <Link to={`/apps/${appKey.appId}`}>{appKey.appId}</Link>
          </dd>
          <dt>Prefix</dt>
          <dd>
            <code>{appKey.prefix}…</code>
          </dd>
          <dt>Environment</dt>
          <dd>{appKey.environment}</dd>
          <dt>Group</dt>
          <dd>{appKey.group ?? '—'}</dd>
          <dt>Scopes</dt>
          <dd>{appKey.scopes.length ? appKey.scopes.map((scope) => <code key={scope} className="chip">{scope}</code>) : '—'}</dd>
          <dt>Created</dt>
          <dd>
            {formatDateTime(appKey.createdAt)} by <code>{appKey.createdBy}</code>
          </dd>
          <dt>Last used</dt>
          <dd>{formatRelative(appKey.lastUsedAt)}</dd>
          <dt>Expires</dt>
          <dd>{formatDateTime(appKey.expiresAt, 'never')}</dd>
          <dt>Policy</dt>
          <dd>{appKey.policy ? <pre className="json">{JSON.stringify(appKey.policy, null, 2)}</pre> : "the app's default"}</dd>
          <dt>Metadata</dt>
          <dd>{Object.keys(appKey.metadata).length ? <pre className="json">{JSON.stringify(appKey.metadata, null, 2)}</pre> : '—'}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="key-secrets">
        <h2 id="key-secrets">Secret versions</h2>
        <DataTable caption="Secret versions" columns={secretColumns} data={appKey.secrets} rowKey={(secret) => `${secret.prefix}-${secret.createdAt}`} />
      </section>
      <KeyUsageChart keyId={appKey.id} />
      <AccessLog keyId={appKey.id} />
      <RotateKeyDialog keyId={appKey.id} open={rotating} onClose={() => setRotating(false)} />
      {confirming && (
        <ConfirmDialog
          open
          title={CONFIRM[confirming].title}
          confirmLabel={CONFIRM[confirming].label}
          danger={CONFIRM[confirming].danger}
          pending={pending?.isPending}
          error={pending?.error}
          onClose={() => {
            pending?.reset();
            setConfirming(null);
          }}
          onConfirm={() => pending?.mutate(undefined, { onSuccess: () => setConfirming(null) })}
        >
          <p>{CONFIRM[confirming].text}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
