import type {
  AppKey,
  CreateCustomerRequest,
  CreatePortalSessionRequest,
  CreatePortalSessionResponse,
  Customer,
  CustomerStatus,
  Page,
  UpdateCustomerRequest,
} from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export interface CustomerFilters {
  status: CustomerStatus | '';
  /** Part of the name or of the external id. */
  search: string;
}

const path = (id: string) => `/v1/customers/${encodeURIComponent(id)}`;

export function useCustomersPage(filters: CustomerFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.customers, 'page', filters, cursor],
    queryFn: () => api.get<Page<Customer>>('/v1/customers', { ...filters, limit: 25, cursor }),
    placeholderData: (previous) => previous,
  });
}

export function useCustomer(id: string) {
  return useQuery({ queryKey: queryKeys.customer(id), queryFn: () => api.get<Customer>(path(id)) });
}

/** The customer's keys, every app, newest first. */
export function useCustomerKeys(customerId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.keys, 'customer', customerId, cursor],
    queryFn: () => api.get<Page<AppKey>>('/v1/keys', { customerId, limit: 25, cursor }),
  });
}

function useCustomerMutation<TBody>(request: (body: TBody) => Promise<Customer>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: (customer) => {
      client.setQueryData(queryKeys.customer(customer.id), customer);
      return client.invalidateQueries({ queryKey: [...queryKeys.customers, 'page'] });
    },
  });
}

export function useCreateCustomer() {
  return useCustomerMutation((body: CreateCustomerRequest) => api.post<Customer>('/v1/customers', body));
}

export function useUpdateCustomer(id: string) {
  return useCustomerMutation((body: UpdateCustomerRequest) => api.patch<Customer>(path(id), body));
}

/** Suspending refuses every key of the customer at once (KEY_DISABLED); resuming lifts it. */
export function useCustomerStatus(id: string, change: 'suspend' | 'resume') {
  return useCustomerMutation(() => api.post<Customer>(`${path(id)}/${change}`));
}

/** A single-use portal link for the customer: nothing is cached, the link is shown once. */
export function useCreatePortalLink() {
  return useMutation({ mutationFn: (body: CreatePortalSessionRequest) => api.post<CreatePortalSessionResponse>('/v1/portal/sessions', body) });
}
