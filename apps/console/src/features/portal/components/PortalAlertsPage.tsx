import { AlertsTable } from '../../../components/AlertsTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { usePortalAlerts } from '../api/portal';

export default function PortalAlertsPage() {
  const pages = useCursorPages('portal-alerts');
  const alerts = usePortalAlerts(pages.cursor);
  return (
    <>
      <PageHeader title="Alerts" description="Your keys behaving unlike themselves: sudden spikes, models never used before, traffic at unusual hours." />
      {alerts.isPending && <Loading />}
      <ErrorMessage error={alerts.error} />
      {alerts.data && alerts.data.data.length === 0 && (
        <EmptyState title="No alerts about your keys">If a key of yours behaves like a leaked one, the alert shows here. Add a webhook endpoint to receive alerts as they happen.</EmptyState>
      )}
      {alerts.data && alerts.data.data.length > 0 && <AlertsTable alerts={alerts.data.data} />}
      <Pager label="Alerts" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={alerts.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </>
  );
}
