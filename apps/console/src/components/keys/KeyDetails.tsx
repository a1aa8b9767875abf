import type { AppKey, KeySecretVersion } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { formatDateTime, formatRelative } from '../../lib/format';
import { DataTable } from '../DataTable';

const secretColumn = createColumnHelper<KeySecretVersion>();
/** A revoked key's secrets all stopped with it, whatever end their grace periods had. */
const secretColumnsOf = (revoked: boolean) => [
  secretColumn.accessor('prefix', { header: 'Prefix', cell: (cell) => <code>{cell.getValue()}…</code> }),
  secretColumn.accessor('current', { header: 'Version', cell: (cell) => (cell.getValue() ? 'current' : 'previous') }),
  secretColumn.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
  secretColumn.accessor('expiresAt', {
    header: 'Stops working',
    cell: (cell) => (revoked ? 'stopped: the key is revoked' : formatDateTime(cell.getValue(), 'with the key')),
  }),
];
const SECRET_COLUMNS = secretColumnsOf(false);
const REVOKED_KEY_SECRET_COLUMNS = secretColumnsOf(true);

/**
 * A key's details and secret versions. Operators also see its app, customer, creator,
 * policy and metadata; a customer in the portal sees what concerns its own use of the key.
 */
export function KeyDetails({ appKey, operator }: { appKey: AppKey; operator?: boolean }) {
  return (
    <>
      <section className="card" aria-labelledby="key-details">
        <h2 id="key-details">Details</h2>
        <dl className="details">
          <dt>Id</dt>
          <dd>
            <code>{appKey.id}</code>
          </dd>
          {operator && (
            <>
              <dt>App</dt>
              <dd>
                <Link to={`/apps/${appKey.appId}`}>{appKey.appId}</Link>
              </dd>
              <dt>Customer</dt>
              <dd>{appKey.customerId ? <Link to={`/customers/${appKey.customerId}`}>{appKey.customerId}</Link> : '—'}</dd>
            </>
          )}
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
            {formatDateTime(appKey.createdAt)}
            {operator && (
              <>
                {' '}
                by <code>{appKey.createdBy}</code>
              </>
            )}
          </dd>
          <dt>Last used</dt>
          <dd>{formatRelative(appKey.lastUsedAt)}</dd>
          <dt>Expires</dt>
          <dd>{formatDateTime(appKey.expiresAt, 'never')}</dd>
          {operator && (
            <>
              <dt>Policy</dt>
              <dd>{appKey.policy ? <pre className="json">{JSON.stringify(appKey.policy, null, 2)}</pre> : "the app's default"}</dd>
              <dt>Metadata</dt>
              <dd>{Object.keys(appKey.metadata).length ? <pre className="json">{JSON.stringify(appKey.metadata, null, 2)}</pre> : '—'}</dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="key-secrets">
        <h2 id="key-secrets">Secret versions</h2>
        <DataTable
          caption="Secret versions"
          columns={appKey.status === 'revoked' ? REVOKED_KEY_SECRET_COLUMNS : SECRET_COLUMNS}
          data={appKey.secrets}
          rowKey={(secret) => `${secret.prefix}-${secret.createdAt}`}
        />
      </section>
    </>
  );
}
