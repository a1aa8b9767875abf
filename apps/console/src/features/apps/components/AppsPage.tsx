import type { App } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'react-router';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { formatDateTime } from '../../../lib/format';
import { useSignedInActor } from '../../../lib/signed-in-actor';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useAppsPage } from '../api/apps';
import { CreateAppDialog } from './CreateAppDialog';
import { ScopedButton } from '../../../components/ScopedButton';

const column = createColumnHelper<App>();
const columns = [
  column.accessor('name', { header: 'Name', cell: (cell) => <Link to={`/apps/${cell.row.original.id}`}>{cell.getValue()}</Link> }),
  column.accessor('id', { header: 'Id', cell: (cell) => <code>{cell.getValue()}</code> }),
  column.accessor('timezone', { header: 'Time zone' }),
  column.accessor('scopeCatalog', { header: 'Scopes', cell: (cell) => cell.getValue().join(', ') || 'any' }),
  column.accessor('environments', { header: 'Environments', cell: (cell) => cell.getValue().join(', ') }),
  column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
];

export default function AppsPage() {
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages('apps');
  const apps = useAppsPage(pages.cursor);
  // The API lets only a key not limited to some apps create one.
  const limitedToApps = useSignedInActor().appIds !== null;
  return (
    <>
      <PageHeader title="Apps" description="Each app holds its own keys, usage, webhooks and alerts.">
        <ScopedButton scope="apps.write" unavailable={limitedToApps ? 'not for a key limited to some apps' : undefined} className="button-primary" onClick={() => setCreating(true)}>
          Create app
        </ScopedButton>
      </PageHeader>
      {apps.isPending && <Loading />}
      <ErrorMessage error={apps.error} />
      {apps.data && apps.data.data.length === 0 && !pages.hasPrevious && (
        <EmptyState title="No apps yet">
          Create an app for each product or integration you sell: its keys, scope catalog and alerts stay apart from the others.
        </EmptyState>
      )}
      {apps.data && apps.data.data.length > 0 && <DataTable caption="Apps" columns={columns} data={apps.data.data} rowKey={(app) => app.id} />}
      <Pager label="Apps" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={apps.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateAppDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
