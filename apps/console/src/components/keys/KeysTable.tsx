import type { AppKey } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { formatDateTime, formatRelative } from '../../lib/format';
import { DataTable } from '../DataTable';
import { StatusBadge } from '../StatusBadge';

const column = createColumnHelper<AppKey>();
const columns = [
  // `/keys/:id` under the router's basename: the console's key page, or the portal's.
  column.accessor('name', { header: 'Name', cell: (cell) => <Link to={`/keys/${cell.row.original.id}`}>{cell.getValue()}</Link> }),
  column.accessor('prefix', { header: 'Prefix', cell: (cell) => <code>{cell.getValue()}…</code> }),
  column.accessor('status', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.accessor('environment', { header: 'Environment' }),
  column.accessor('group', { header: 'Group', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('scopes', { header: 'Scopes', cell: (cell) => cell.getValue().join(', ') || '—' }),
  column.accessor('lastUsedAt', { header: 'Last used', cell: (cell) => formatRelative(cell.getValue()) }),
  column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
];

/** Keys, each linking to its page. */
export function KeysTable({ keys, caption = 'Keys' }: { keys: AppKey[]; caption?: string }) {
  return <DataTable caption={caption} columns={columns} data={keys} rowKey={(key) => key.id} />;
}
