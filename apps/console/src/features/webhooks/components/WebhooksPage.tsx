import type { WebhookEndpoint } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { AppSelect } from '../../../components/AppSelect';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useWebhooksPage } from '../api/webhooks';
import { CreateWebhookDialog } from './CreateWebhookDialog';

const column = createColumnHelper<WebhookEndpoint>();
const columns = [
  column.accessor('url', { header: 'URL', cell: (cell) => <Link to={`/webhooks/${cell.row.original.id}`}>{cell.getValue()}</Link> }),
  column.accessor('enabled', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue() ? 'enabled' : 'disabled'} /> }),
  column.accessor('eventTypes', { header: 'Events', cell: (cell) => cell.getValue().join(', ') || 'all' }),
  column.accessor('description', { header: 'Description', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
];

export default function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const appId = params.get('appId') ?? '';
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(appId);
  const webhooks = useWebhooksPage(appId, pages.cursor);
  return (
    <>
      <PageHeader title="Webhooks" description="Signed events (alerts, key changes) sent to your endpoints, retried until they answer 2xx.">
        <button type="button" className="button-primary" onClick={() => setCreating(true)}>
          Add endpoint
        </button>
      </PageHeader>
      <div role="search" className="filters" aria-label="Filter endpoints">
        <AppSelect value={appId} onChange={(value) => setParams(value ? { appId: value } : {}, { replace: true })} allowAll />
      </div>
      {webhooks.isPending && <Loading />}
      <ErrorMessage error={webhooks.error} />
      {webhooks.data && webhooks.data.data.length === 0 && (
        <EmptyState title="No webhook endpoints">Add an endpoint to receive alerts and key events, signed the Standard Webhooks way.</EmptyState>
      )}
      {webhooks.data && webhooks.data.data.length > 0 && <DataTable caption="Webhook endpoints" columns={columns} data={webhooks.data.data} rowKey={(endpoint) => endpoint.id} />}
      <Pager label="Endpoints" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={webhooks.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateWebhookDialog open={creating} onClose={() => setCreating(false)} initialAppId={appId} />
    </>
  );
}
