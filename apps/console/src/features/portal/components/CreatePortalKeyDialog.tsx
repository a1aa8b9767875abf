import { type PortalApp, scopesNotHeld } from '@keywarden/core';
import { Controller, useForm } from 'react-hook-form';
import { AppSelectField } from '../../../components/AppSelect';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { ScopePicker } from '../../../components/keys/ScopePicker';
import { SecretReveal } from '../../../components/SecretReveal';
import { SelectField } from '../../../components/SelectField';
import { useCreatePortalKey, usePortalApps } from '../api/portal';

interface CreatePortalKeyForm {
  appId: string;
  name: string;
  environment: string;
  scopes: string[];
}

interface CreatePortalKeyDialogProps {
  /** The session's app; null: the customer chooses one of the apps the session may act in. */
  sessionApp: PortalApp | null;
  /** What the link allows; null: the app's whole catalog. */
  allowedScopes: string[] | null;
  open: boolean;
  onClose: () => void;
}

/**
 * The scopes a key in this app may be given: the link's allowed ones that the app's catalog
 * holds (a link that names no app was not checked against any one catalog), else the catalog.
 */
function scopesOffered(app: PortalApp, allowedScopes: string[] | null): string[] {
  if (allowedScopes === null) return app.scopeCatalog;
  if (app.scopeCatalog.length === 0) return allowedScopes;
  return allowedScopes.filter((scope) => scopesNotHeld(app.scopeCatalog, [scope]).length === 0);
}

/** Name, environment and scopes (and the app, when the session names none): the policy is the app's default, the customer the session's. */
export function CreatePortalKeyDialog({ sessionApp, allowedScopes, open, onClose }: CreatePortalKeyDialogProps) {
  const create = useCreatePortalKey();
  const choices = usePortalApps(sessionApp === null);
  const { register, handleSubmit, control, reset, watch, setValue } = useForm<CreatePortalKeyForm>({
    defaultValues: { appId: sessionApp?.id ?? '', name: '', environment: sessionApp?.environments[0] ?? '', scopes: [] },
  });
  const appId = watch('appId');
  const app = sessionApp ?? choices.data?.find((each) => each.id === appId);
  const close = () => {
    // Forget the answer (and the secret in it) along with the dialog.
    create.reset();
    reset();
    onClose();
  };
  const chooseApp = (chosenId: string) => {
    // Environments and scopes are the chosen app's: what was picked for another does not carry over.
    const chosen = choices.data?.find((each) => each.id === chosenId);
    setValue('appId', chosenId);
    setValue('environment', chosen?.environments[0] ?? '');
    setValue('scopes', []);
  };
  return (
    <Dialog open={open} title={create.data ? 'Key created' : 'Create a key'} onClose={close} wide>
      {create.data ? (
        <SecretReveal secret={create.data.secret} onDone={close} />
      ) : (
        <form className="stack" onSubmit={handleSubmit((values) => create.mutate(values))}>
          {sessionApp === null && (
            <>
              <AppSelectField apps={choices.data} value={appId} onChange={chooseApp} />
              <ErrorMessage error={choices.error} />
            </>
          )}
          <div className="grid-2">
            <label className="field">
              <span>Name</span>
              <input {...register('name', { required: true })} required />
            </label>
            <SelectField label="Environment" disabled={!app} {...register('environment')}>
              {(app?.environments ?? []).map((environment) => (
                <option key={environment} value={environment}>
                  {environment}
                </option>
              ))}
            </SelectField>
          </div>
          {app && (
            <Controller
              control={control}
              name="scopes"
              render={({ field }) => <ScopePicker catalog={scopesOffered(app, allowedScopes)} value={field.value} onChange={field.onChange} />}
            />
          )}
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Create key" pendingLabel="Creating…" pending={create.isPending} disabled={!app} />
        </form>
      )}
    </Dialog>
  );
}
