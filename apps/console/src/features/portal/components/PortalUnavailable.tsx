import type { ReactNode } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage';

/** Instead of the portal: why it cannot open, and what to do about it. */
export function PortalUnavailable({ title, error, children }: { title: string; error?: unknown; children: ReactNode }) {
  return (
    <main className="unavailable">
      <div className="card">
        <h1>{title}</h1>
        <ErrorMessage error={error} />
        {children}
      </div>
    </main>
  );
}
