import { QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ProgressBar } from '../components/ProgressBar';
import { createQueryClient } from '../lib/query-client';
import '../styles.css';

function App({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <ProgressBar />
      {children}
    </QueryClientProvider>
  );
}

/** Renders one entry (the console or the portal) with the query client and the progress bar. */
export function mount(entry: ReactNode): void {
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <App>{entry}</App>
    </StrictMode>,
  );
}
