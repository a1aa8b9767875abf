import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { Loading } from '../components/Loading';

// One chunk per page: the first screen loads only what it shows.
const OverviewPage = lazy(() => import('../features/overview/components/OverviewPage'));
const AppsPage = lazy(() => import('../features/apps/components/AppsPage'));
const AppSettingsPage = lazy(() => import('../features/apps/components/AppSettingsPage'));
const KeysPage = lazy(() => import('../features/keys/components/KeysPage'));
const KeyDetailPage = lazy(() => import('../features/keys/components/KeyDetailPage'));
const CustomersPage = lazy(() => import('../features/customers/components/CustomersPage'));
const CustomerDetailPage = lazy(() => import('../features/customers/components/CustomerDetailPage'));
const AlertsPage = lazy(() => import('../features/alerts/components/AlertsPage'));
const AlertDetailPage = lazy(() => import('../features/alerts/components/AlertDetailPage'));
const WebhooksPage = lazy(() => import('../features/webhooks/components/WebhooksPage'));
const WebhookDetailPage = lazy(() => import('../features/webhooks/components/WebhookDetailPage'));
const AuditPage = lazy(() => import('../features/audit/components/AuditPage'));
const MembersPage = lazy(() => import('../features/members/components/MembersPage'));

export function ConsoleRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="apps" element={<AppsPage />} />
        <Route path="apps/:appId" element={<AppSettingsPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="keys/:keyId" element={<KeyDetailPage />} />
        <Route path="customers" element={<CustomersPage />} />
        <Route path="customers/:customerId" element={<CustomerDetailPage />} />
        <Route path="alerts" element={<AlertsPage />} />
        <Route path="alerts/:alertId" element={<AlertDetailPage />} />
        <Route path="webhooks" element={<WebhooksPage />} />
        <Route path="webhooks/:webhookId" element={<WebhookDetailPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="members" element={<MembersPage />} />
        <Route path="*" element={<EmptyState title="Page not found">Pick a page from the menu above.</EmptyState>} />
      </Routes>
    </Suspense>
  );
}
