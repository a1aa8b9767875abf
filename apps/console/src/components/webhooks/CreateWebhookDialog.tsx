import { type CreateWebhookRequest, WEBHOOK_EVENT_TYPES, type WebhookEndpoint, type WebhookEventType, type WithWebhookSecret } from '@keywarden/core';
import type { UseMutationResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Dialog } from '../Dialog';
import { ErrorMessage } from '../ErrorMessage';
import { FormActions } from '../FormActions';
import { SecretReveal, WEBHOOK_SECRET_STORAGE } from '../SecretReveal';

/** What the dialog sends: the portal's endpoints take their app (and customer) from the session. */
export type CreateWebhookBody = Omit<CreateWebhookRequest, 'appId' | 'customerId'> & { appId?: string };

interface CreateWebhookForm {
  appId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
}

interface CreateWebhookDialogProps {
  open: boolean;
  onClose: () => void;
  /** The console's or the portal's create call. */
  create: UseMutationResult<WebhookEndpoint & WithWebhookSecret, Error, CreateWebhookBody>;
  /**
   * The app picker: the console's apps, or those of a portal session that names no app. Left
   * out, the endpoint's app is the portal session's.
   */
  appPicker?: (field: { value: string; onChange: (appId: string) => void }) => ReactNode;
  initialAppId?: string;
  /** The events offered: every one in the console, a customer's in the portal. */
  eventTypes?: readonly WebhookEventType[];
}

export function CreateWebhookDialog({ open, onClose, create, appPicker, initialAppId = '', eventTypes = WEBHOOK_EVENT_TYPES }: CreateWebhookDialogProps) {
  const { register, handleSubmit, control, reset, watch } = useForm<CreateWebhookForm>({ defaultValues: { appId: initialAppId, url: '', description: '', eventTypes: [] } });
  const appMissing = appPicker !== undefined && !watch('appId');
  const close = () => {
    create.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={create.data ? 'Endpoint created' : 'Add a webhook endpoint'} onClose={close} wide>
      {create.data ? (
        <SecretReveal secret={create.data.secret} onDone={close} what="signing secret" storage={WEBHOOK_SECRET_STORAGE} />
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) =>
            create.mutate({
              appId: appPicker ? values.appId : undefined,
              url: values.url,
              description: values.description || undefined,
              eventTypes: values.eventTypes,
            }),
          )}
        >
          {appPicker && <Controller control={control} name="appId" render={({ field }) => <>{appPicker({ value: field.value, onChange: field.onChange })}</>} />}
          <label className="field">
            <span>URL (http or https)</span>
            <input type="url" required placeholder="https://hooks.example.com/keywarden" {...register('url', { required: true })} />
          </label>
          <label className="field">
            <span>Description</span>
            <input {...register('description')} />
          </label>
          <fieldset className="fieldset">
            <legend>Events (none checked: every event)</legend>
            <div className="checkbox-grid">
              {eventTypes.map((type) => (
                <label key={type} className="checkbox">
                  <input type="checkbox" value={type} {...register('eventTypes')} />
                  <code>{type}</code>
                </label>
              ))}
            </div>
          </fieldset>
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Add endpoint" pendingLabel="Adding…" pending={create.isPending} disabled={appMissing} />
        </form>
      )}
    </Dialog>
  );
}
