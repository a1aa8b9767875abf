import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { AppSelect } from '../../../components/AppSelect';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { CreateWebhookDialog } from '../../../components/webhooks/CreateWebhookDialog';
import { WebhooksTable } from '../../../components/webhooks/WebhooksTable';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useCreateWebhook, useWebhooksPage } from '../api/webhooks';
import { ScopedButton } from '../../../components/ScopedButton';

export default function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const appId = params.get('appId') ?? '';
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(appId);
  const webhooks = useWebhooksPage(appId, pages.cursor);
  const create = useCreateWebhook();
  return (
    <>
      <PageHeader title="Webhooks" description="Signed events (alerts, key changes) sent to your endpoints, retried until they answer 2xx.">
        <ScopedButton scope="webhooks.write" className="button-primary" onClick={() => setCreating(true)}>
          Add endpoint
        </ScopedButton>
      </PageHeader>
      <div role="search" className="filters" aria-label="Filter endpoints">
        <AppSelect value={appId} onChange={(value) => setParams(value ? { appId: value } : {}, { replace: true })} allowAll />
      </div>
      {webhooks.isPending && <Loading />}
      <ErrorMessage error={webhooks.error} />
      {webhooks.data && webhooks.data.data.length === 0 && (
        <EmptyState title="No webhook endpoints">Add an endpoint to receive alerts and key events, signed the Standard Webhooks way.</EmptyState>
      )}
      {webhooks.data && webhooks.data.data.length > 0 && <WebhooksTable endpoints={webhooks.data.data} linked />}
      <Pager label="Endpoints" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={webhooks.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateWebhookDialog open={creating} onClose={() => setCreating(false)} create={create} appPicker={(field) => <AppSelect {...field} />} initialAppId={appId} />
    </>
  );
}
