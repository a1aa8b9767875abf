import type { UseFormRegister } from 'react-hook-form';
import { PolicyFields, type PolicyFormValues } from '../../../components/PolicyFields';

export interface CustomerForm {
  externalId: string;
  name: string;
  policy: PolicyFormValues;
}

/** External id, name and shared limits: the same fields to add a customer and to edit one. */
export function CustomerFields({ register }: { register: UseFormRegister<CustomerForm> }) {
  return (
    <>
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
    </>
  );
}
