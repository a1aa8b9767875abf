import type { WebhookEndpoint } from '@keywarden/core';
import { type CellContext, createColumnHelper } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../lib/format';
import { DataTable } from '../DataTable';
import { StatusBadge } from '../StatusBadge';

const column = createColumnHelper<WebhookEndpoint>();
const urlColumn = (linked: boolean) =>
  column.accessor('url', {
    header: 'URL',
    cell: (cell: CellContext<WebhookEndpoint, string>) => (linked ? <Link to={`/webhooks/${cell.row.original.id}`}>{cell.getValue()}</Link> : cell.getValue()),
  });
const otherColumns = [
  column.accessor('enabled', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue() ? 'enabled' : 'disabled'} /> }),
  column.accessor('eventTypes', { header: 'Events', cell: (cell) => cell.getValue().join(', ') || 'all' }),
  column.accessor('description', { header: 'Description', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
];

interface WebhooksTableProps {
  endpoints: WebhookEndpoint[];
  /** Each URL links to the endpoint's page (the console). */
  linked?: boolean;
  /** A last column of row actions (the portal's Delete). */
  actions?: (endpoint: WebhookEndpoint) => ReactNode;
}

export function WebhooksTable({ endpoints, linked, actions }: WebhooksTableProps) {
  const columns = [
    urlColumn(Boolean(linked)),
    ...otherColumns,
    ...(actions ? [column.display({ id: 'actions', header: 'Actions', cell: (cell) => actions(cell.row.original) })] : []),
  ];
  return <DataTable caption="Webhook endpoints" columns={columns} data={endpoints} rowKey={(endpoint) => endpoint.id} />;
}
