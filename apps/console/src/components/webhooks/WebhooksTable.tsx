import type { WebhookEndpoint } from '@keywarden/core';
import { type CellContext, createColumnHelper } from '@tanstack/react-table';
import { type ReactNode, useMemo } from 'react';
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
const appColumn = (appName: (appId: string) => string) => column.accessor('appId', { header: 'App', cell: (cell) => appName(cell.getValue()) });
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
  /**
   * Given, an App column names each endpoint's app (a portal session that spans apps). Keep
   * the function the same between renders, as `actions`.
   */
  appName?: (appId: string) => string;
  /**
   * A last column of row actions (the portal's Delete). Keep the function the same between
   * renders (useCallback): the columns are built again when it changes.
   */
  actions?: (endpoint: WebhookEndpoint) => ReactNode;
}

export function WebhooksTable({ endpoints, linked, appName, actions }: WebhooksTableProps) {
  // Kept between renders: the table renders each cell function as a component, so a new function on
  // every render would replace the row's buttons, and a dialog could not give focus back to
  // the button that opened it.
  const columns = useMemo(
    () => [
      urlColumn(Boolean(linked)),
      ...(appName ? [appColumn(appName)] : []),
      ...otherColumns,
      ...(actions ? [column.display({ id: 'actions', header: 'Actions', cell: (cell) => actions(cell.row.original) })] : []),
    ],
    [linked, appName, actions],
  );
  return <DataTable caption="Webhook endpoints" columns={columns} data={endpoints} rowKey={(endpoint) => endpoint.id} />;
}
