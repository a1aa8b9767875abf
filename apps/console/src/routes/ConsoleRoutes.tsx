import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { Loading } from '../components/Loading';

// One chunk per page: the first screen loads only what it shows.
const AppsPage = lazy(() => import('../features/apps/components/AppsPage'));
const AppSettingsPage = lazy(() => import('../features/apps/components/AppSettingsPage'));
const KeysPage = lazy(() => import('../features/keys/components/KeysPage'));
const KeyDetailPage = lazy(() => import('../features/keys/components/KeyDetailPage'));

export function ConsoleRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<Navigate to="/keys" replace />} />
        <Route path="apps" element={<AppsPage />} />
        <Route path="apps/:appId" element={<AppSettingsPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="keys/:keyId" element={<KeyDetailPage />} />
        <Route path="*" element={<EmptyState title="Page not found">Pick a page from the menu above.</EmptyState>} />
      </Routes>
    </Suspense>
  );
}
