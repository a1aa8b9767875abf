import type { CreateKeyRequest, Metadata } from '@keywarden/core';
import { useEffect, useId } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { AppSelect } from '../../../components/AppSelect';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { PolicyFields, type PolicyFormValues, policyFormValues, policyOf } from '../../../components/PolicyFields';
import { useAppOptions } from '../../../lib/app-options';
import { useCreateKey } from '../api/keys';
import { ScopePicker } from '../../../components/keys/ScopePicker';
import { SecretReveal } from '../../../components/SecretReveal';
import { SelectField } from '../../../components/SelectField';
import { FormActions } from '../../../components/FormActions';

interface CreateKeyForm {
  appId: string;
  name: string;
  environment: string;
  group: string;
  description: string;
  scopes: string[];
  expiresAt: string;
  metadata: string;
  policy: PolicyFormValues;
}

const DEFAULT_ENVIRONMENTS = ['live', 'test'];

/** The Metadata field's text as the wire object; blank: none. */
function metadataOf(text: string): Metadata | undefined {
  return text.trim() ? (JSON.parse(text) as Metadata) : undefined;
}

/** Why the Metadata field's text is not a JSON object (with where the parser stopped), or true. */
function validateMetadata(text: string): string | true {
  if (!text.trim()) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's own message is written for developers; its position helps anyone.
    const position = /line \d+ column \d+/.exec((error as Error).message)?.[0];
    return position ? `Metadata must be valid JSON (${position})` : 'Metadata must be valid JSON';
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? true : 'Metadata must be a JSON object';
}

export function CreateKeyDialog({ open, onClose, initialAppId }: { open: boolean; onClose: () => void; initialAppId: string }) {
  const create = useCreateKey();
  const apps = useAppOptions();
  const metadataId = useId();
  const { register, handleSubmit, control, watch, reset, setValue, formState } = useForm<CreateKeyForm>({
    defaultValues: { appId: initialAppId, name: '', environment: '', group: '', description: '', scopes: [], expiresAt: '', metadata: '', policy: policyFormValues(null) },
  });
  const app = apps.data?.find((candidate) => candidate.id === watch('appId'));
  const environments = app?.environments ?? DEFAULT_ENVIRONMENTS;
  // The select shows the environment that will be sent: the app's first unless another of its own is chosen.
  const environment = watch('environment');
  useEffect(() => {
    if (!environments.includes(environment)) setValue('environment', environments[0] ?? '');
  }, [environments, environment, setValue]);
  const close = () => {
    // Forget the answer (and the secret in it) along with the dialog.
    create.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={create.data ? 'Key created' : 'Create a key'} onClose={close} wide>
      {create.data ? (
        <SecretReveal secret={create.data.secret} onDone={close} />
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) => {
            const body: CreateKeyRequest = {
              appId: values.appId,
              name: values.name,
              environment: values.environment,
              scopes: values.scopes,
              group: values.group || undefined,
              description: values.description || undefined,
              expiresAt: values.expiresAt ? new Date(values.expiresAt).toISOString() : undefined,
              metadata: metadataOf(values.metadata),
              policy: policyOf(values.policy),
            };
            create.mutate(body);
          })}
        >
          <div className="grid-2">
            <Controller control={control} name="appId" render={({ field }) => <AppSelect value={field.value} onChange={field.onChange} />} />
            <SelectField label="Environment" {...register('environment')}>
                {environments.map((environment) => (
                  <option key={environment} value={environment}>
                    {environment}
                  </option>
                ))}
              </SelectField>
            <label className="field">
              <span>Name</span>
              <input {...register('name', { required: true })} required />
            </label>
            <label className="field">
              <span>Group (e.g. production, staging)</span>
              <input {...register('group')} />
            </label>
          </div>
          <label className="field">
            <span>Description</span>
            <input {...register('description')} />
          </label>
          <Controller
            control={control}
            name="scopes"
            render={({ field }) => <ScopePicker catalog={app?.scopeCatalog ?? []} value={field.value} onChange={field.onChange} />}
          />
          <div className="grid-2">
            <label className="field">
              <span>Expires at (optional)</span>
              <input type="datetime-local" {...register('expiresAt')} />
            </label>
            <div className="field">
              <label htmlFor={metadataId}>Metadata (JSON object, optional)</label>
              <textarea
                id={metadataId}
                rows={2}
                spellCheck={false}
                aria-invalid={formState.errors.metadata ? true : undefined}
                aria-describedby={formState.errors.metadata ? `${metadataId}-error` : undefined}
                {...register('metadata', { validate: validateMetadata })}
              />
              {formState.errors.metadata && (
                <p id={`${metadataId}-error`} role="alert" className="error">
                  {formState.errors.metadata.message}
                </p>
              )}
            </div>
          </div>
          <details>
            <summary>Policy (rate limits, IP allowlist, models, spend cap)</summary>
            <PolicyFields register={register} name="policy" />
          </details>
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Create key" pendingLabel="Creating…" pending={create.isPending} disabled={!app} />
        </form>
      )}
    </Dialog>
  );
}
