import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Loading } from '../components/Loading';
import { ProgressBar } from '../components/ProgressBar';
import { createQueryClient } from '../lib/query-client';
import { ConsoleApp } from './ConsoleApp';

// Customers never download the console, operators never the portal.
const PortalApp = lazy(() => import('../routes/PortalApp'));

export function App() {
  const [client] = useState(createQueryClient);
  const isPortal = window.location.pathname.startsWith('/portal');
  return (
    <QueryClientProvider client={client}>
      <ProgressBar />
      {isPortal ? (
        <Suspense fallback={<Loading />}>
          <PortalApp />
        </Suspense>
      ) : (
        <ConsoleApp />
      )}
    </QueryClientProvider>
  );
}
