import { CUSTOMER_STATUSES, type Customer, type CustomerStatus, MAX_CUSTOMER_SEARCH_LENGTH } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { SelectField } from '../../../components/SelectField';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime, formatMoney, formatNumber } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useUrlFilters } from '../../../lib/use-url-filters';
import { type CustomerFilters, useCustomersPage } from '../api/customers';
import { CreateCustomerDialog } from './CreateCustomerDialog';
import { ScopedButton } from '../../../components/ScopedButton';

/** The shared limits in one line: "60/min, 1,000/day, 3 concurrent, 25.00/day spend". */
function limitsOf(customer: Customer): string {
  const policy = customer.policy;
  if (!policy) return 'none';
  const rates = policy.rateLimits ?? {};
  const parts = [
    rates.perMinute !== undefined && `${formatNumber(rates.perMinute)}/min`,
    rates.perHour !== undefined && `${formatNumber(rates.perHour)}/h`,
    rates.perDay !== undefined && `${formatNumber(rates.perDay)}/day`,
    policy.concurrency !== undefined && `${policy.concurrency} concurrent`,
    policy.dailySpendLimit !== undefined && `${formatMoney(policy.dailySpendLimit)}/day spend`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

const column = createColumnHelper<Customer>();
const columns = [
  column.accessor('externalId', { header: 'External id', cell: (cell) => <Link to={`/customers/${cell.row.original.id}`}>{cell.getValue()}</Link> }),
  column.accessor('name', { header: 'Name', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('status', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.display({ id: 'limits', header: 'Shared limits', cell: (cell) => limitsOf(cell.row.original) }),
  column.accessor('createdAt', { header: 'Created', cell: (cell) => formatDateTime(cell.getValue()) }),
];

export default function CustomersPage() {
  const { params, setFilter } = useUrlFilters();
  const filters: CustomerFilters = { status: (params.get('status') ?? '') as CustomerStatus | '', search: params.get('search') ?? '' };
  const [searchText, setSearchText] = useState(filters.search);
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(JSON.stringify(filters));
  const customers = useCustomersPage(filters, pages.cursor);
  // Search once the typing pauses.
  useEffect(() => {
    const term = searchText.trim();
    if (term === filters.search) return;
    const timer = setTimeout(() => setFilter('search', term), 300);
    return () => clearTimeout(timer);
  });
  const filtered = Boolean(filters.status || filters.search);
  return (
    <>
      <PageHeader title="Customers" description="Your own customers: their keys share these limits, and you can open a portal for each of them.">
        <ScopedButton scope="customers.write" className="button-primary" onClick={() => setCreating(true)}>
          Add customer
        </ScopedButton>
      </PageHeader>
      <div role="search" className="filters" aria-label="Filter customers">
        <label className="field field-inline field-grow">
          <span>Search</span>
          <input type="search" placeholder="Part of the name or of your id for the customer" maxLength={MAX_CUSTOMER_SEARCH_LENGTH} value={searchText} onChange={(event) => setSearchText(event.target.value)} />
        </label>
        <SelectField label="Status" inline value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
          <option value="">Any</option>
          {CUSTOMER_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </SelectField>
      </div>
      {customers.isPending && <Loading />}
      <ErrorMessage error={customers.error} />
      {customers.data && customers.data.data.length === 0 && (
        <EmptyState title={filtered ? 'No customer matches' : 'No customers yet'}>
          {filtered
            ? 'No name or external id contains the search; clear the filters to see every customer.'
            : 'Add a customer with your own id for them, then give their keys its id: the keys then share its limits.'}
        </EmptyState>
      )}
      {customers.data && customers.data.data.length > 0 && <DataTable caption="Customers" columns={columns} data={customers.data.data} rowKey={(customer) => customer.id} />}
      <Pager label="Customers" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={customers.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      <CreateCustomerDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
