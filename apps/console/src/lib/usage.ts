import type { Granularity, UsageGroupBy, UsageQuery, UsageResponse } from '@keywarden/core';
import { useQuery } from '@tanstack/react-query';
import { api } from './api-client';
import { queryKeys } from './query-keys';

export interface UsageRange {
  label: string;
  granularity: Granularity;
  minutes: number;
}

export const USAGE_RANGES: UsageRange[] = [
  { label: 'Last hour, per minute', granularity: 'minute', minutes: 60 },
  { label: 'Last 24 hours, per hour', granularity: 'hour', minutes: 24 * 60 },
  { label: 'Last 30 days, per day', granularity: 'day', minutes: 30 * 24 * 60 },
];

const STEP_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A range ending now, aligned to its buckets so repeated renders share one query. */
export function rangeEndingNow(range: UsageRange, now = Date.now()): { from: string; to: string } {
  const step = STEP_MS[range.granularity];
  const to = Math.ceil(now / step) * step;
  return { from: new Date(to - range.minutes * 60_000).toISOString(), to: new Date(to).toISOString() };
}

export type UsageFilter = Pick<UsageQuery, 'appId' | 'keyId' | 'customerId'>;

/** Usage from `/v1/usage`, or from the portal's `/v1/portal/usage` (the session's customer). */
export function useUsage(query: (Omit<UsageQuery, 'groupBy'> & { groupBy?: UsageGroupBy }) | null, path = '/v1/usage') {
  return useQuery({
    queryKey: [...queryKeys.usage, path, query],
    queryFn: () => api.get<UsageResponse>(path, { ...query }),
    enabled: query !== null,
    refetchInterval: 30_000,
  });
}

/** Every bucket of the range, so quiet minutes draw as zero instead of a straight line across. */
export function bucketsOf(from: string, to: string, granularity: Granularity): number[] {
  const step = STEP_MS[granularity];
  const buckets: number[] = [];
  for (let t = Math.floor(new Date(from).getTime() / step) * step; t < new Date(to).getTime(); t += step) buckets.push(t);
  return buckets;
}
