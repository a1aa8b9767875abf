import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/** Filters kept in the URL's query string, so a filtered page can be reloaded and shared. */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const setFilter = useCallback(
    (name: string, value: string) => {
      const next = new URLSearchParams(params);
      if (value) next.set(name, value);
      else next.delete(name);
      setParams(next, { replace: true });
    },
    [params, setParams],
  );
  return { params, setFilter };
}
