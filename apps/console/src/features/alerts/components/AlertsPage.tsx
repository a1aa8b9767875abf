import { ALERT_STATUSES, ALERT_TYPES, type AlertStatus } from '@keywarden/core';
import { Link } from 'react-router';
import { AlertsTable } from '../../../components/AlertsTable';
import { AppSelect } from '../../../components/AppSelect';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { SelectField } from '../../../components/SelectField';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { type AlertFilters, useAlertsPage } from '../api/alerts';
import { useUrlFilters } from '../../../lib/use-url-filters';

export default function AlertsPage() {
  const { params, setFilter } = useUrlFilters();
  const filters: AlertFilters = {
    appId: params.get('appId') ?? '',
    status: (params.get('status') ?? '') as AlertStatus | '',
    type: params.get('type') ?? '',
    keyId: params.get('keyId') ?? '',
  };
  const pages = useCursorPages(JSON.stringify(filters));
  const alerts = useAlertsPage(filters, pages.cursor);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Keys behaving unlike themselves (spikes, models never used, traffic outside business hours), reported leaks and used canaries."
      />
      <div role="search" className="filters" aria-label="Filter alerts">
        <AppSelect value={filters.appId} onChange={(appId) => setFilter('appId', appId)} allowAll />
        <SelectField label="Status" inline value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
          <option value="">Any</option>
          {ALERT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </SelectField>
        <SelectField label="Type" inline value={filters.type} onChange={(event) => setFilter('type', event.target.value)}>
          <option value="">Any</option>
          {ALERT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type.replace('_', ' ')}
            </option>
          ))}
        </SelectField>
        {filters.keyId && (
          <p className="filter-chip">
            <span>
              Key <Link to={`/keys/${encodeURIComponent(filters.keyId)}`}>{filters.keyId}</Link>
            </span>
            <button type="button" className="button-secondary" onClick={() => setFilter('keyId', '')}>
              All keys
            </button>
          </p>
        )}
      </div>
      {alerts.isPending && <Loading />}
      <ErrorMessage error={alerts.error} />
      {alerts.data && alerts.data.data.length === 0 && (
        <EmptyState title="No alerts">
          Detection learns each key's normal rhythm over its first days of traffic, then alerts here (and through your webhooks) when a key
          behaves like a leaked one.
        </EmptyState>
      )}
      {alerts.data && alerts.data.data.length > 0 && <AlertsTable alerts={alerts.data.data} linked />}
      <Pager label="Alerts" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={alerts.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </>
  );
}
