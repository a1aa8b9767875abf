import { useIsFetching, useIsMutating } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

const SLOW_AFTER_MS = 300;

/** A bar at the top while any call has been running for more than a moment. */
export function ProgressBar() {
  const busy = useIsFetching() + useIsMutating() > 0;
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (!busy) {
      setSlow(false);
      return;
    }
    const timer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [busy]);
  if (!slow) return null;
  return <div className="progress" role="progressbar" aria-label="Waiting for the API" />;
}
