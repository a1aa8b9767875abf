import type { PortalMe } from '@keywarden/core';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { Loading } from '../components/Loading';
import { portalPagesOf } from '../features/portal/pages';

const PortalKeysPage = lazy(() => import('../features/portal/components/PortalKeysPage'));
const PortalKeyPage = lazy(() => import('../features/portal/components/PortalKeyPage'));
const PortalUsagePage = lazy(() => import('../features/portal/components/PortalUsagePage'));
const PortalAlertsPage = lazy(() => import('../features/portal/components/PortalAlertsPage'));
const PortalWebhooksPage = lazy(() => import('../features/portal/components/PortalWebhooksPage'));

/** Only the pages the session's permissions open exist; the first of them is the start page. */
export function PortalRoutes({ me }: { me: PortalMe }) {
  const can = (permission: PortalMe['permissions'][number]) => me.permissions.includes(permission);
  const start = portalPagesOf(me)[0];
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route
          index
          element={start ? <Navigate to={start.to} replace /> : <EmptyState title="Nothing to show">This portal link opens no page. Ask for a new one.</EmptyState>}
        />
        {can('keys.read') && <Route path="keys" element={<PortalKeysPage me={me} />} />}
        {can('keys.read') && <Route path="keys/:keyId" element={<PortalKeyPage me={me} />} />}
        {can('usage.read') && <Route path="usage" element={<PortalUsagePage />} />}
        {can('alerts.read') && <Route path="alerts" element={<PortalAlertsPage />} />}
        {can('webhooks.manage') && <Route path="webhooks" element={<PortalWebhooksPage me={me} />} />}
        <Route path="*" element={<EmptyState title="Page not found">Pick a page from the menu above.</EmptyState>} />
      </Routes>
    </Suspense>
  );
}
