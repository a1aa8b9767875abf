import type { Alert } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { formatDateTime, formatNumber } from '../lib/format';
import { DataTable } from './DataTable';
import { StatusBadge } from './StatusBadge';

const column = createColumnHelper<Alert>();
const typeColumn = (linked: boolean) =>
  column.accessor('type', {
    header: 'Alert',
    cell: (cell) => (linked ? <Link to={`/alerts/${cell.row.original.id}`}>{cell.getValue().replace('_', ' ')}</Link> : cell.getValue().replace('_', ' ')),
  });
const otherColumns = [
  column.accessor('severity', { header: 'Severity', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.accessor('status', { header: 'Status', cell: (cell) => <StatusBadge status={cell.getValue()} /> }),
  column.accessor('keyId', { header: 'Key', cell: (cell) => <Link to={`/keys/${cell.getValue()}`}>{cell.getValue()}</Link> }),
  column.accessor('model', { header: 'Model', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('evidence', {
    header: 'Observed / expected',
    // Leak and canary alerts are not measured against a baseline: their numbers would read as 0 expected.
    cell: (cell) =>
      cell.row.original.type === 'leak' || cell.row.original.type === 'canary_used'
        ? '—'
        : `${formatNumber(cell.getValue().observed)} / ${formatNumber(cell.getValue().expected)} per ${cell.getValue().window}`,
  }),
  column.accessor('detectedAt', { header: 'Detected', cell: (cell) => formatDateTime(cell.getValue()) }),
  column.accessor('occurrences', { header: 'Seen', cell: (cell) => `${cell.getValue()}×` }),
];
const linkedColumns = [typeColumn(true), ...otherColumns];
const plainColumns = [typeColumn(false), ...otherColumns];

/** Alerts, each naming its key; `linked` when the alert has a page of its own (the console). */
export function AlertsTable({ alerts, linked }: { alerts: Alert[]; linked?: boolean }) {
  return <DataTable caption="Alerts" columns={linked ? linkedColumns : plainColumns} data={alerts} rowKey={(alert) => alert.id} />;
}
