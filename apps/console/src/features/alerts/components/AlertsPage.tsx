import { ALERT_STATUSES, type Alert, type AlertStatus, DETECTION_ALERT_TYPES } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { AppSelect } from '../../../components/AppSelect';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { SelectField } from '../../../components/SelectField';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime, formatNumber } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { type AlertFilters, useAlertsPage } from '../api/alerts';
import { useUrlFilters } from '../../../lib/use-url-filters';

const column = createColumnHelper<Alert>();
const columns = [
  column.accessor('type', { header: 'Alert', cell: (cell) => <Link to={`/alerts/${cell.row.original.id}`}>{cell.getValue().replace('_', ' ')}</Link> }),
  column.accessor('severity', { header: 'Severity', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.accessor('status', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.accessor('keyId', { header: 'Key', cell: (cell) => <Link to={`/keys/${cell.getValue()}`}>{cell.getValue()}</Link> }),
  column.accessor('model', { header: 'Model', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('evidence', { header: 'Observed / expected', cell: (cell) => `${formatNumber(cell.getValue().observed)} / ${formatNumber(cell.getValue().expected)} per ${cell.getValue().window}` }),
  column.accessor('detectedAt', { header: 'Detected', cell: (cell) => formatDateTime(cell.getValue()) }),
  column.accessor('occurrences', { header: 'Seen', cell: (cell) => `${cell.getValue()}×` }),
];

export default function AlertsPage() {
  const { params, setFilter } = useUrlFilters();
  const filters: AlertFilters = {
    appId: params.get('appId') ?? '',
    status: (params.get('status') ?? '') as AlertStatus | '',
    type: params.get('type') ?? '',
  };
  const pages = useCursorPages(JSON.stringify(filters));
  const alerts = useAlertsPage(filters, pages.cursor);
  return (
    <>
      <PageHeader title="Alerts" description="Keys behaving unlike themselves: spikes, models never used, traffic outside business hours." />
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
          {DETECTION_ALERT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type.replace('_', ' ')}
            </option>
          ))}
        </SelectField>
      </div>
      {alerts.isPending && <Loading />}
      <ErrorMessage error={alerts.error} />
      {alerts.data && alerts.data.data.length === 0 && (
        <EmptyState title="No alerts">
          Detection learns each key's normal rhythm over its first days of traffic, then alerts here (and through your webhooks) when a key
          behaves like a leaked one.
        </EmptyState>
      )}
      {alerts.data && alerts.data.data.length > 0 && <DataTable caption="Alerts" columns={columns} data={alerts.data.data} rowKey={(alert) => alert.id} />}
      <Pager label="Alerts" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={alerts.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </>
  );
}
