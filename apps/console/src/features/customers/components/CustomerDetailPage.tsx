import type { Customer } from '@keywarden/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useParams } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { KeysTable } from '../../../components/keys/KeysTable';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { customerPolicyOf, policyFormValues } from '../../../components/PolicyFields';
import { SaveBar } from '../../../components/SaveBar';
import { StatusBadge } from '../../../components/StatusBadge';
import { UsageCard } from '../../../components/UsageCard';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useCustomer, useCustomerKeys, useCustomerStatus, useUpdateCustomer } from '../api/customers';
import { CustomerFields, type CustomerForm } from './CustomerFields';
import { PortalLinkDialog } from './PortalLinkDialog';
import { ScopedButton } from '../../../components/ScopedButton';
import { ScopedFieldset } from '../../../components/ScopedFieldset';

export default function CustomerDetailPage() {
  const { customerId = '' } = useParams();
  const customer = useCustomer(customerId);
  if (customer.isPending) return <Loading />;
  if (customer.isError) return <ErrorMessage error={customer.error} />;
  return <CustomerDetail customer={customer.data} />;
}

function formOf(customer: Customer): CustomerForm {
  return { externalId: customer.externalId, name: customer.name ?? '', policy: policyFormValues(customer.policy) };
}

function CustomerDetail({ customer }: { customer: Customer }) {
  const update = useUpdateCustomer(customer.id);
  const change = useCustomerStatus(customer.id, customer.status === 'active' ? 'suspend' : 'resume');
  const [confirming, setConfirming] = useState(false);
  const [linking, setLinking] = useState(false);
  const { register, handleSubmit, formState, reset } = useForm<CustomerForm>({ values: formOf(customer) });
  const suspended = customer.status === 'suspended';
  return (
    <>
      <PageHeader title={customer.name ?? customer.externalId} description={<code>{customer.id}</code>}>
        <StatusBadge status={customer.status} />
        {!suspended && (
          <ScopedButton scope="portal.write" className="button-primary" onClick={() => setLinking(true)}>
            Portal link
          </ScopedButton>
        )}
        <ScopedButton scope="customers.write" className={suspended ? 'button-secondary' : 'button-danger'} onClick={() => setConfirming(true)}>
          {suspended ? 'Resume' : 'Suspend'}
        </ScopedButton>
      </PageHeader>
      <form
        className="stack card"
        aria-label="Customer settings"
        onSubmit={handleSubmit((values) =>
          update.mutate(
            { externalId: values.externalId.trim(), name: values.name.trim() || null, policy: customerPolicyOf(values.policy) ?? null },
            { onSuccess: (saved) => reset(formOf(saved)) },
          ),
        )}
      >
        <ScopedFieldset scope="customers.write">
          <CustomerFields register={register} />
          <SaveBar save={update} dirty={formState.isDirty} submitLabel="Save customer" savedMessage="Customer saved." scope="customers.write" />
        </ScopedFieldset>
      </form>
      <CustomerKeys customerId={customer.id} />
      <UsageCard filter={{ customerId: customer.id }} title="Usage of all their keys" spend emptyHint="Verifies of this customer's keys show here within seconds." />
      <PortalLinkDialog customer={customer} open={linking} onClose={() => setLinking(false)} />
      <ConfirmDialog
        open={confirming}
        title={suspended ? `Resume ${customer.externalId}?` : `Suspend ${customer.externalId}?`}
        confirmLabel={suspended ? 'Resume customer' : 'Suspend customer'}
        danger={!suspended}
        pending={change.isPending}
        error={change.error}
        onClose={() => {
          change.reset();
          setConfirming(false);
        }}
        onConfirm={() => change.mutate(undefined, { onSuccess: () => setConfirming(false) })}
      >
        <p>
          {suspended
            ? 'Their keys verify again, each by its own status.'
            : 'Every key of this customer answers KEY_DISABLED at once, on every instance, until you resume them. Their portal sessions end.'}
        </p>
      </ConfirmDialog>
    </>
  );
}

function CustomerKeys({ customerId }: { customerId: string }) {
  const pages = useCursorPages(customerId);
  const keys = useCustomerKeys(customerId, pages.cursor);
  return (
    <section className="card stack" aria-labelledby="customer-keys">
      <h2 id="customer-keys">Keys</h2>
      {keys.isPending && <Loading />}
      <ErrorMessage error={keys.error} />
      {keys.data && keys.data.data.length === 0 && (
        <EmptyState title="No keys yet">
          Create a key with <code>customerId</code> (or <code>externalId</code>) through the API, or let the customer create one in the portal.
        </EmptyState>
      )}
      {keys.data && keys.data.data.length > 0 && <KeysTable keys={keys.data.data} caption="Keys of this customer" />}
      <Pager label="Keys" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={keys.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </section>
  );
}
