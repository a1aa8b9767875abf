import type { App, Page } from '@keywarden/core';
import { useQuery } from '@tanstack/react-query';
import { api } from './api-client';
import { queryKeys } from './query-keys';

/** The apps a page can filter by (the first 100, newest first). */
export function useAppOptions() {
  return useQuery({
    queryKey: [...queryKeys.apps, 'options'],
    queryFn: () => api.get<Page<App>>('/v1/apps', { limit: 100 }),
    select: (page) => page.data,
  });
}
