import { lazy, type ReactNode, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { Loading } from '../components/Loading';
import { useHasScope } from '../lib/signed-in-actor';

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

/** A page the signed-in key may not read says which scope it needs, instead of the API's 403. */
function Needs({ scope, children }: { scope: string; children: ReactNode }) {
  if (useHasScope()(scope)) return children;
  return (
    <EmptyState title="No access to this page">
      Your admin key lacks <code>{scope}</code>, which this page needs. An owner or admin can give you a role that holds it.
    </EmptyState>
  );
}

export function ConsoleRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="apps" element={<Needs scope="apps.read"><AppsPage /></Needs>} />
        <Route path="apps/:appId" element={<Needs scope="apps.read"><AppSettingsPage /></Needs>} />
        <Route path="keys" element={<Needs scope="keys.read"><KeysPage /></Needs>} />
        <Route path="keys/:keyId" element={<Needs scope="keys.read"><KeyDetailPage /></Needs>} />
        <Route path="customers" element={<Needs scope="customers.read"><CustomersPage /></Needs>} />
        <Route path="customers/:customerId" element={<Needs scope="customers.read"><CustomerDetailPage /></Needs>} />
        <Route path="alerts" element={<Needs scope="alerts.read"><AlertsPage /></Needs>} />
        <Route path="alerts/:alertId" element={<Needs scope="alerts.read"><AlertDetailPage /></Needs>} />
        <Route path="webhooks" element={<Needs scope="webhooks.read"><WebhooksPage /></Needs>} />
        <Route path="webhooks/:webhookId" element={<Needs scope="webhooks.read"><WebhookDetailPage /></Needs>} />
        <Route path="audit" element={<Needs scope="audit.read"><AuditPage /></Needs>} />
        <Route path="members" element={<Needs scope="keys.read"><MembersPage /></Needs>} />
        <Route path="*" element={<EmptyState title="Page not found">Pick a page from the menu above.</EmptyState>} />
      </Routes>
    </Suspense>
  );
}
