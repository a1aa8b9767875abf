import type { AuditEntry, ListAuditQuery, Page } from '@keywarden/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useAuditPage(filters: Omit<ListAuditQuery, 'limit' | 'cursor'>, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.audit, filters, cursor],
    queryFn: () => api.get<Page<AuditEntry>>('/v1/audit', { ...filters, limit: 25, cursor }),
  });
}
