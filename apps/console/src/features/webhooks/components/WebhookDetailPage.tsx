import type { WebhookEndpoint } from '@keywarden/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { SecretReveal, WEBHOOK_SECRET_STORAGE } from '../../../components/SecretReveal';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime } from '../../../lib/format';
import { useDeleteWebhook, useRotateWebhookSecret, useTestWebhook, useUpdateWebhook, useWebhook } from '../api/webhooks';
import { Deliveries } from './Deliveries';
import { ScopedButton } from '../../../components/ScopedButton';

const TEST_NEEDS_ENABLED_ID = 'test-needs-enabled';

export default function WebhookDetailPage() {
  const { webhookId = '' } = useParams();
  const webhook = useWebhook(webhookId);
  if (webhook.isPending) return <Loading />;
  if (webhook.isError) return <ErrorMessage error={webhook.error} />;
  return <WebhookDetail endpoint={webhook.data} />;
}

function WebhookDetail({ endpoint }: { endpoint: WebhookEndpoint }) {
  const test = useTestWebhook(endpoint.id);
  const update = useUpdateWebhook(endpoint.id);
  const rotate = useRotateWebhookSecret(endpoint.id);
  const remove = useDeleteWebhook(endpoint.id);
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<'rotate' | 'delete' | null>(null);
  const closeRotate = () => {
    rotate.reset();
    setConfirming(null);
  };
  return (
    <>
      <PageHeader title={endpoint.url} description={endpoint.description ?? <code>{endpoint.id}</code>}>
        <StatusBadge status={endpoint.enabled ? 'enabled' : 'disabled'} />
        <ScopedButton
          scope="webhooks.write"
          className="button-primary"
          disabled={test.isPending || !endpoint.enabled}
          aria-describedby={endpoint.enabled ? undefined : TEST_NEEDS_ENABLED_ID}
          onClick={() => test.mutate()}
        >
          {test.isPending ? 'Sending…' : 'Send test event'}
        </ScopedButton>
        <ScopedButton scope="webhooks.write" className="button-secondary" disabled={update.isPending} onClick={() => update.mutate({ enabled: !endpoint.enabled })}>
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </ScopedButton>
        <ScopedButton scope="webhooks.write" className="button-secondary" onClick={() => setConfirming('rotate')}>
          Rotate secret
        </ScopedButton>
        <ScopedButton scope="webhooks.write" className="button-danger" onClick={() => setConfirming('delete')}>
          Delete
        </ScopedButton>
      </PageHeader>
      {!endpoint.enabled && (
        <p id={TEST_NEEDS_ENABLED_ID} className="muted">
          Enable the endpoint to send a test event or redeliver.
        </p>
      )}
      <ErrorMessage error={test.error ?? update.error} />
      {test.isSuccess && (
        <p role="status" className="success">
          Test event queued: it shows under Deliveries within seconds.
        </p>
      )}
      <section className="card" aria-labelledby="endpoint-details">
        <h2 id="endpoint-details">Endpoint</h2>
        <dl className="details">
          <dt>App</dt>
          <dd>
            <Link to={`/apps/${endpoint.appId}`}>{endpoint.appId}</Link>
          </dd>
          <dt>Events</dt>
          <dd>{endpoint.eventTypes.length ? endpoint.eventTypes.map((type) => <code key={type} className="chip">{type}</code>) : 'every event'}</dd>
          <dt>Disabled</dt>
          <dd>{endpoint.disabledAt ? `${formatDateTime(endpoint.disabledAt)}: ${endpoint.disabledMessage ?? endpoint.disabledReason}` : '—'}</dd>
          <dt>Failing since</dt>
          <dd>{formatDateTime(endpoint.failingSince)}</dd>
          <dt>Previous secret</dt>
          <dd>{endpoint.previousSecretExpiresAt ? `Deliveries are also signed with the previous secret until ${formatDateTime(endpoint.previousSecretExpiresAt)}.` : '—'}</dd>
        </dl>
      </section>
      <Deliveries endpointId={endpoint.id} disabledHintId={endpoint.enabled ? undefined : TEST_NEEDS_ENABLED_ID} />
      {/* One dialog from the question to the new secret, like a key's Rotate: it stays open, so closing it gives focus back to Rotate secret. */}
      <Dialog open={confirming === 'rotate'} title={rotate.data ? 'Secret rotated' : 'Rotate the signing secret?'} onClose={closeRotate}>
        {rotate.data ? (
          <SecretReveal secret={rotate.data.secret} onDone={closeRotate} what="signing secret" storage={WEBHOOK_SECRET_STORAGE} />
        ) : (
          <div className="stack">
            <p>Deliveries are signed with both the old and the new secret for 24 hours, so your receiver can switch without missing any.</p>
            <ErrorMessage error={rotate.error} />
            <FormActions onCancel={closeRotate} submitLabel="Rotate secret" pendingLabel="Working…" pending={rotate.isPending} onSubmit={() => rotate.mutate(undefined)} />
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={confirming === 'delete'}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        danger
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setConfirming(null)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate('/webhooks') })}
      >
        <p>No more events are sent to it.</p>
      </ConfirmDialog>
    </>
  );
}
