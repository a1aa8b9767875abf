import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { ProgressBar } from '../components/ProgressBar';
import { createQueryClient } from '../lib/query-client';
import { ConsoleApp } from './ConsoleApp';

export function App() {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <ProgressBar />
      <ConsoleApp />
    </QueryClientProvider>
  );
}
