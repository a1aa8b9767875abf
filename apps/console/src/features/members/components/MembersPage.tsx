import { type AdminKey, coverageIssues, hasScope, type Me } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { SelectField } from '../../../components/SelectField';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { useSignedInActor } from '../../../lib/signed-in-actor';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { type Cascade, useAdminKeysPage, useRevokeAdminKey } from '../api/members';
import { CreateMemberDialog } from './CreateMemberDialog';
import { ScopedButton } from '../../../components/ScopedButton';

const column = createColumnHelper<AdminKey>();

/** Why the API would refuse the signed-in key to revoke this member's key, if so: its reasons in its order. */
function notRevocableBy(actor: Me, member: AdminKey): string | undefined {
  const fields = coverageIssues(actor, member).map((issue) => issue.field);
  if (fields.includes('scopes')) return 'holds scopes your key lacks';
  if (fields.includes('appIds')) return 'reaches apps your key does not';
  // The API says which key is the last owner key: a workspace always keeps one.
  if (member.lastOwner) return 'last owner key: add another owner key first';
  return undefined;
}

export default function MembersPage() {
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AdminKey | null>(null);
  const [cascade, setCascade] = useState<Cascade>('');
  const pages = useCursorPages('members');
  const members = useAdminKeysPage(pages.cursor);
  const revoke = useRevokeAdminKey();
  const actor = useSignedInActor();
  // Keeping or revoking the member's app keys needs only keys.revoke (as the revoke itself);
  // disabling them also needs keys.write, so without it that choice is offered disabled.
  const mayDisableKeys = hasScope(actor.scopes, 'keys.write');
  // Built once: the table renders each cell function as a component, so a new function on
  // every render would replace the row's Revoke button, and the dialog could not give focus
  // back to the button that opened it.
  const columns = useMemo(
    () => [
      column.accessor('name', { header: 'Name' }),
      column.accessor('prefix', { header: 'Prefix', cell: (cell) => <code>{cell.getValue()}…</code> }),
      column.accessor('role', { header: 'Role', cell: (cell) => cell.getValue() ?? `custom (${cell.row.original.scopes.join(', ')})` }),
      column.accessor('appIds', { header: 'Apps', cell: (cell) => cell.getValue()?.join(', ') ?? 'all' }),
      column.accessor('status', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
      column.accessor('lastUsedAt', { header: 'Last used', cell: (cell) => formatRelative(cell.getValue()) }),
      column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
      column.display({
        id: 'actions',
        header: 'Actions',
        cell: (cell) =>
          cell.row.original.status === 'revoked' ? null : (
            <ScopedButton
              scope="keys.revoke"
              unavailable={notRevocableBy(actor, cell.row.original)}
              className="button-secondary"
              onClick={() => setRevoking(cell.row.original)}
              aria-label={`Revoke ${cell.row.original.name}`}
            >
              Revoke
            </ScopedButton>
          ),
      }),
    ],
    [actor],
  );
  const close = () => {
    revoke.reset();
    setCascade('');
    setRevoking(null);
  };
  return (
    <>
      <PageHeader title="Members" description="Admin keys: who may use this console and the API, with which role.">
        <ScopedButton scope="keys.write" className="button-primary" onClick={() => setCreating(true)}>
          Add member
        </ScopedButton>
      </PageHeader>
      {members.isPending && <Loading />}
      <ErrorMessage error={members.error} />
      {members.data && members.data.data.length === 0 && <EmptyState title="No admin keys">Add a member to give someone their own admin key.</EmptyState>}
      {members.data && members.data.data.length > 0 && <DataTable caption="Admin keys" columns={columns} data={members.data.data} rowKey={(key) => key.id} />}
      <Pager label="Members" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={members.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateMemberDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke admin key"
        danger
        pending={revoke.isPending}
        error={revoke.error}
        onClose={close}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id, cascade }, { onSuccess: close })}
      >
        <p>The key stops working at once and its console sessions end.</p>
        <SelectField label="App keys this member created" value={cascade} onChange={(event) => setCascade(event.target.value as Cascade)}>
          <option value="">keep them</option>
          <option value="disable" disabled={!mayDisableKeys}>
            {mayDisableKeys ? 'disable them' : 'disable them (needs keys.write)'}
          </option>
          <option value="revoke">revoke them</option>
        </SelectField>
        {!mayDisableKeys && <p className="muted small">Disabling them needs keys.write, which your admin key lacks.</p>}
      </ConfirmDialog>
    </>
  );
}
