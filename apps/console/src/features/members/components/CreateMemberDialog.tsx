import { ADMIN_ROLES, type AdminRole } from '@keywarden/core';
import { useForm } from 'react-hook-form';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { SecretReveal } from '../../../components/SecretReveal';
import { SelectField } from '../../../components/SelectField';
import { useAppOptions } from '../../../lib/app-options';
import { useCreateAdminKey } from '../api/members';

const ROLE_HELP: Record<AdminRole, string> = {
  owner: 'everything',
  admin: 'everything but workspace settings',
  developer: 'keys, usage and webhooks; no revoke',
  viewer: 'read only',
};

interface MemberForm {
  name: string;
  role: AdminRole;
  appIds: string[];
}

export function CreateMemberDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateAdminKey();
  const apps = useAppOptions();
  const { register, handleSubmit, reset } = useForm<MemberForm>({ defaultValues: { name: '', role: 'developer', appIds: [] } });
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
              <option key={role} value={role}>
                {role}: {ROLE_HELP[role]}
              </option>
            ))}
          </SelectField>
          <fieldset className="fieldset">
            <legend>Apps (none checked: every app)</legend>
            <div className="checkbox-grid">
              {(apps.data ?? []).map((app) => (
                <label key={app.id} className="checkbox">
                  <input type="checkbox" value={app.id} {...register('appIds')} />
                  {app.name}
                </label>
              ))}
            </div>
          </fieldset>
          <ErrorMessage error={create.error} />
          <FormActions onCancel={close} submitLabel="Create admin key" pendingLabel="Creating…" pending={create.isPending} />
        </form>
      )}
    </Dialog>
  );
}
