import type { Metadata, PageQuery } from './common';
import type { RateLimits } from './policy';

export const CUSTOMER_STATUSES = ['active', 'suspended'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** The platform's own id for a customer: 1–128 printable characters without spaces or slashes. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9._:@+=-]{1,128}$/;

/**
 * What all keys of one customer share: their requests count together against these
 * limits, on top of each key's own policy (both must admit a verify).
 */
export interface CustomerPolicy {
  rateLimits?: RateLimits;
  /** Requests of all the customer's keys in flight at once. */
  concurrency?: number;
  /** Decimal amount of the workspace currency per UTC day, over all the customer's keys. */
  dailySpendLimit?: number;
}

/** The platform's customer, who holds keys (SPEC §9). */
export interface Customer {
  id: string;
  externalId: string;
  name: string | null;
  metadata: Metadata;
  status: CustomerStatus;
  policy: CustomerPolicy | null;
  createdAt: string;
  updatedAt: string;
}

/** How verify answers, events and usage name the customer of a key. */
export interface CustomerRef {
  id: string;
  externalId: string;
}

export interface CreateCustomerRequest {
  externalId: string;
  name?: string;
  metadata?: Metadata;
  policy?: CustomerPolicy;
}

export interface UpdateCustomerRequest {
  externalId?: string;
  name?: string | null;
  metadata?: Metadata;
  /** Replaces the shared policy; `null` clears it. */
  policy?: CustomerPolicy | null;
}

/** Longest customer search: a name or an external id is at most this long. */
export const MAX_CUSTOMER_SEARCH_LENGTH = 200;

export interface ListCustomersQuery extends PageQuery {
  status?: CustomerStatus;
  /** Exactly this external id. */
  externalId?: string;
  /** Part of the name or of the external id (case-insensitive). */
  search?: string;
}
