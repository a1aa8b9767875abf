import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@keywarden/core';
import { Controller, useForm } from 'react-hook-form';
import { AppSelect } from '../../../components/AppSelect';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { SecretReveal } from '../../../components/SecretReveal';
import { useCreateWebhook } from '../api/webhooks';

interface CreateWebhookForm {
  appId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
}

export function CreateWebhookDialog({ open, onClose, initialAppId }: { open: boolean; onClose: () => void; initialAppId: string }) {
  const create = useCreateWebhook();
  const { register, handleSubmit, control, reset } = useForm<CreateWebhookForm>({ defaultValues: { appId: initialAppId, url: '', description: '', eventTypes: [] } });
  const close = () => {
    create.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={create.data ? 'Endpoint created' : 'Add a webhook endpoint'} onClose={close} wide>
      {create.data ? (
        <SecretReveal secret={create.data.secret} onDone={close} what="signing secret" />
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) =>
            create.mutate({ appId: values.appId, url: values.url, description: values.description || undefined, eventTypes: values.eventTypes }),
          )}
        >
          <Controller control={control} name="appId" render={({ field }) => <AppSelect value={field.value} onChange={field.onChange} />} />
          <label className="field">
            <span>URL (https)</span>
            <input type="url" required placeholder="https://hooks.example.com/keywarden" {...register('url', { required: true })} />
          </label>
          <label className="field">
            <span>Description</span>
            <input {...register('description')} />
          </label>
          <fieldset className="fieldset">
            <legend>Events (none checked: every event)</legend>
            <div className="checkbox-grid">
              {WEBHOOK_EVENT_TYPES.map((type) => (
                <label key={type} className="checkbox">
                  <input type="checkbox" value={type} {...register('eventTypes')} />
                  <code>{type}</code>
                </label>
              ))}
            </div>
          </fieldset>
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Add endpoint" pendingLabel="Adding…" pending={create.isPending} />
        </form>
      )}
    </Dialog>
  );
}
