import { ADMIN_ROLES, type AdminRole, ROLE_SCOPES, scopesNotHeld } from '@keywarden/core';
import { useForm } from 'react-hook-form';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { SecretReveal } from '../../../components/SecretReveal';
import { SelectField } from '../../../components/SelectField';
import { useAppOptions } from '../../../lib/app-options';
import { useSignedInActor } from '../../../lib/signed-in-actor';
import { useCreateAdminKey } from '../api/members';

const ROLE_HELP: Record<AdminRole, string> = {
  owner: 'everything',
  admin: 'everything but workspace settings',
  developer: 'keys, usage and webhooks; no revoke',
  viewer: 'read only',
};

/** The scopes a role needs that the signed-in key lacks, shortly: `*` is every scope. */
function neededSummary(missing: string[]): string {
  if (missing.includes('*')) return 'every scope';
  return missing.length > 2 ? `${missing.slice(0, 2).join(', ')} and ${missing.length - 2} more` : missing.join(', ');
}

interface MemberForm {
  name: string;
  role: AdminRole;
  appIds: string[];
}

export function CreateMemberDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateAdminKey();
  const apps = useAppOptions();
  // Nobody hands out more than they hold: a role with a scope the signed-in key lacks is offered disabled, with what it needs.
  const { scopes, appIds: ownApps } = useSignedInActor();
  // Left unchecked, the new key gets the apps of the key creating it (the API's rule): every
  // app only for a key that is not limited to some.
  const uncheckedMeans = ownApps === null ? 'every app' : 'the same apps as your key';
  const lacking = (role: AdminRole) => scopesNotHeld(scopes, ROLE_SCOPES[role]);
  const grantable = ADMIN_ROLES.filter((role) => lacking(role).length === 0);
  const defaultRole = grantable.includes('developer') ? 'developer' : (grantable.at(-1) ?? 'viewer');
  const { register, handleSubmit, reset } = useForm<MemberForm>({ defaultValues: { name: '', role: defaultRole, appIds: [] } });
  const close = () => {
    create.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={create.data ? 'Admin key created' : 'Add a member'} onClose={close}>
      {create.data ? (
        <SecretReveal secret={create.data.secret} onDone={close} what="admin key" />
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) => create.mutate({ name: values.name, role: values.role, ...(values.appIds.length ? { appIds: values.appIds } : {}) }))}
        >
          <label className="field">
            <span>Name (who holds this key)</span>
            <input required {...register('name', { required: true })} />
          </label>
          <SelectField label="Role" {...register('role')}>
            {ADMIN_ROLES.map((role) => (
              <option key={role} value={role} disabled={lacking(role).length > 0}>
                {`${role}: ${ROLE_HELP[role]}${lacking(role).length > 0 ? ` (needs ${neededSummary(lacking(role))})` : ''}`}
              </option>
            ))}
          </SelectField>
          {grantable.length < ADMIN_ROLES.length && (
            <p className="muted">
              {grantable.length === 0
                ? 'Your admin key lacks scopes of every role, so it cannot add a member: ask an owner.'
                : 'A role with scopes your admin key lacks cannot be given: ask an owner or admin for it.'}
            </p>
          )}
          {apps.data && apps.data.length === 0 ? (
            <p className="muted">Apps: none to choose from yet, so the member reaches {uncheckedMeans}.</p>
          ) : (
            <fieldset className="fieldset">
              <legend>Apps (none checked: {uncheckedMeans})</legend>
              <div className="checkbox-grid">
                {(apps.data ?? []).map((app) => (
                  <label key={app.id} className="checkbox">
                    <input type="checkbox" value={app.id} {...register('appIds')} />
                    {app.name}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Create admin key" pendingLabel="Creating…" pending={create.isPending} disabled={grantable.length === 0} />
        </form>
      )}
    </Dialog>
  );
}
