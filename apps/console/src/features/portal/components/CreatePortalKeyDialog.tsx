import type { PortalMe } from '@keywarden/core';
import { Controller, useForm } from 'react-hook-form';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { ScopePicker } from '../../../components/keys/ScopePicker';
import { SecretReveal } from '../../../components/SecretReveal';
import { SelectField } from '../../../components/SelectField';
import { useCreatePortalKey } from '../api/portal';

interface CreatePortalKeyForm {
  name: string;
  environment: string;
  scopes: string[];
}

interface CreatePortalKeyDialogProps {
  app: NonNullable<PortalMe['app']>;
  /** What the link allows; null: the app's whole catalog. */
  allowedScopes: string[] | null;
  open: boolean;
  onClose: () => void;
}

/** Name, environment and scopes: the policy is the app's default, the customer the session's. */
export function CreatePortalKeyDialog({ app, allowedScopes, open, onClose }: CreatePortalKeyDialogProps) {
  const create = useCreatePortalKey();
  const { register, handleSubmit, control, reset } = useForm<CreatePortalKeyForm>({
    defaultValues: { name: '', environment: app.environments[0] ?? 'live', scopes: [] },
  });
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
        <form className="stack" onSubmit={handleSubmit((values) => create.mutate(values))}>
          <div className="grid-2">
            <label className="field">
              <span>Name</span>
              <input {...register('name', { required: true })} required />
            </label>
            <SelectField label="Environment" {...register('environment')}>
              {app.environments.map((environment) => (
                <option key={environment} value={environment}>
                  {environment}
                </option>
              ))}
            </SelectField>
          </div>
          <Controller
            control={control}
            name="scopes"
            render={({ field }) => <ScopePicker catalog={allowedScopes ?? app.scopeCatalog} value={field.value} onChange={field.onChange} />}
          />
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Create key" pendingLabel="Creating…" pending={create.isPending} />
        </form>
      )}
    </Dialog>
  );
}
