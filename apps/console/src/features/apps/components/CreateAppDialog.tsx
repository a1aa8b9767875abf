import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { linesOf } from '../../../lib/format';
import { useCreateApp } from '../api/apps';
import { FormActions } from '../../../components/FormActions';

interface CreateAppForm {
  name: string;
  timezone: string;
  scopeCatalog: string;
  environments: string;
}

export function CreateAppDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateApp();
  const navigate = useNavigate();
  const { register, handleSubmit, reset } = useForm<CreateAppForm>({
    defaultValues: { name: '', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', scopeCatalog: '', environments: 'live\ntest' },
  });
  const close = () => {
    reset();
    create.reset();
    onClose();
  };
  return (
    <Dialog open={open} title="Create an app" onClose={close}>
      <form
        className="stack"
        onSubmit={handleSubmit((values) =>
          create.mutate(
            {
              name: values.name,
              timezone: values.timezone,
              scopeCatalog: linesOf(values.scopeCatalog),
              environments: linesOf(values.environments),
            },
            { onSuccess: (app) => navigate(`/apps/${app.id}`) },
          ),
        )}
      >
        <label className="field">
          <span>Name</span>
          <input required {...register('name', { required: true })} />
        </label>
        <label className="field">
          <span>Time zone (IANA)</span>
          <input {...register('timezone')} />
        </label>
        <label className="field">
          <span>Scope catalog (one scope per line, e.g. generation.create)</span>
          <textarea rows={4} spellCheck={false} {...register('scopeCatalog')} />
        </label>
        <label className="field">
          <span>Environments (one per line)</span>
          <textarea rows={2} spellCheck={false} {...register('environments')} />
        </label>
        <ErrorMessage error={create.error} />
        <FormActions onCancel={close} submitLabel="Create app" pendingLabel="Creating…" pending={create.isPending} />
      </form>
    </Dialog>
  );
}
