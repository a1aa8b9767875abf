import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { customerPolicyOf, policyFormValues } from '../../../components/PolicyFields';
import { useCreateCustomer } from '../api/customers';
import { CustomerFields, type CustomerForm } from './CustomerFields';

export function CreateCustomerDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useCreateCustomer();
  const navigate = useNavigate();
  const { register, handleSubmit, reset } = useForm<CustomerForm>({ defaultValues: { externalId: '', name: '', policy: policyFormValues(null) } });
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
        <CustomerFields register={register} />
        <ErrorMessage error={create.error} />
        <FormActions onCancel={close} submitLabel="Add customer" pendingLabel="Adding…" pending={create.isPending} />
      </form>
    </Dialog>
  );
}
