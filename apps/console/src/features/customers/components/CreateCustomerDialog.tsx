import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { customerPolicyOf, PolicyFields, type PolicyFormValues, policyFormValues } from '../../../components/PolicyFields';
import { useCreateCustomer } from '../api/customers';

interface CreateCustomerForm {
  externalId: string;
  name: string;
  policy: PolicyFormValues;
}

export function CreateCustomerDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateCustomer();
  const navigate = useNavigate();
  const { register, handleSubmit, reset } = useForm<CreateCustomerForm>({ defaultValues: { externalId: '', name: '', policy: policyFormValues(null) } });
  const close = () => {
    create.reset();
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title="Add a customer" onClose={close} wide>
      <form
        className="stack"
        onSubmit={handleSubmit((values) =>
          create.mutate(
            { externalId: values.externalId.trim(), name: values.name.trim() || undefined, policy: customerPolicyOf(values.policy) },
            { onSuccess: (customer) => navigate(`/customers/${customer.id}`) },
          ),
        )}
      >
        <div className="grid-2">
          <label className="field">
            <span>External id (your id for them)</span>
            <input spellCheck={false} {...register('externalId', { required: true })} required />
          </label>
          <label className="field">
            <span>Name</span>
            <input {...register('name')} />
          </label>
        </div>
        <PolicyFields register={register} name="policy" legend="Shared limits" customer />
        <ErrorMessage error={create.error} />
        <FormActions onCancel={close} submitLabel="Add customer" pendingLabel="Adding…" pending={create.isPending} />
      </form>
    </Dialog>
  );
}
