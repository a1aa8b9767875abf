import { CUSTOMER_WEBHOOK_EVENT_TYPES, type PortalMe, type WebhookEndpoint } from '@keywarden/core';
import { useCallback, useMemo, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { AppSelectField } from '../../../components/AppSelect';
import { CreateWebhookDialog } from '../../../components/webhooks/CreateWebhookDialog';
import { WebhooksTable } from '../../../components/webhooks/WebhooksTable';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useCreatePortalWebhook, useDeletePortalWebhook, usePortalApps, usePortalWebhooks } from '../api/portal';

export default function PortalWebhooksPage({ me }: { me: PortalMe }) {
  const pages = useCursorPages('portal-webhooks');
  const webhooks = usePortalWebhooks(pages.cursor);
  const create = useCreatePortalWebhook();
  const remove = useDeletePortalWebhook();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  // An endpoint belongs to one app and hears of the customer's keys in it: a session that names no app chooses it.
  const apps = usePortalApps(me.app === null);
  // Across apps, two endpoints with one URL look alike unless each names its app. An app not
  // listed (deleted since, or past the first 100) is named by its id.
  const appName = useMemo(() => {
    if (!apps.data || apps.data.length < 2) return undefined;
    const names = new Map(apps.data.map((app) => [app.id, app.name]));
    return (appId: string) => names.get(appId) ?? appId;
  }, [apps.data]);
  const endpointName = useCallback((endpoint: WebhookEndpoint) => (appName ? `${endpoint.url} in ${appName(endpoint.appId)}` : endpoint.url), [appName]);
  const deleteButton = useCallback(
    (endpoint: WebhookEndpoint) => (
      <button type="button" className="button-secondary" onClick={() => setDeleting(endpoint)} aria-label={`Delete ${endpointName(endpoint)}`}>
        Delete
      </button>
    ),
    [endpointName],
  );
  return (
    <>
      <PageHeader
        title="Webhooks"
        description={`Signed events about your keys (alerts, rotations, revocations), sent to your endpoints and retried until they answer 2xx.${
          me.app === null ? ' Each endpoint hears of your keys in the app you choose for it.' : ''
        }`}
      >
        <button type="button" className="button-primary" onClick={() => setCreating(true)}>
          Add endpoint
        </button>
      </PageHeader>
      {webhooks.isPending && <Loading />}
      <ErrorMessage error={webhooks.error} />
      {webhooks.data && webhooks.data.data.length === 0 && (
        <EmptyState title="No webhook endpoints">Add an endpoint to receive alerts about your keys as they happen, signed the Standard Webhooks way.</EmptyState>
      )}
      {webhooks.data && webhooks.data.data.length > 0 && (
        <WebhooksTable endpoints={webhooks.data.data} appName={appName} actions={deleteButton} />
      )}
      <Pager label="Endpoints" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={webhooks.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateWebhookDialog
        open={creating}
        onClose={() => setCreating(false)}
        create={create}
        appPicker={me.app === null ? (field) => <AppSelectField apps={apps.data} {...field} /> : undefined}
        eventTypes={CUSTOMER_WEBHOOK_EVENT_TYPES}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        danger
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        <p>Events stop going to {deleting && endpointName(deleting)} at once.</p>
      </ConfirmDialog>
    </>
  );
}
