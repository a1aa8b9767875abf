import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { PageHeader } from '../../../components/PageHeader';
import { Pager } from '../../../components/Pager';
import { SelectField } from '../../../components/SelectField';
import { formatDateTime } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useAuditPage } from '../api/audit';
import { useUrlFilters } from '../../../lib/use-url-filters';

const column = createColumnHelper<AuditEntry>();
const columns = [
  column.accessor('createdAt', { header: 'Time', cell: (cell) => formatDateTime(cell.getValue()) }),
  column.accessor('action', { header: 'Action', cell: (cell) => <code>{cell.getValue()}</code> }),
  // An admin key id, `portal:<customer id>` for the customer portal, or nothing for the bootstrap command.
  column.accessor('actor', { header: 'Actor', cell: (cell) => <code>{cell.getValue() ?? 'system'}</code> }),
  column.accessor('targetId', { header: 'Target', cell: (cell) => <code>{cell.getValue()}</code> }),
  column.accessor('ip', { header: 'IP', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('details', {
    header: 'Details',
    cell: (cell) => (Object.keys(cell.getValue()).length ? <pre className="json">{JSON.stringify(cell.getValue(), null, 1)}</pre> : '—'),
  }),
];

export default function AuditPage() {
  const { params, setFilter } = useUrlFilters();
  const filters = {
    action: (params.get('action') || undefined) as AuditAction | undefined,
    targetId: params.get('targetId') || undefined,
    actor: params.get('actor') || undefined,
  };
  const pages = useCursorPages(JSON.stringify(filters));
  const audit = useAuditPage(filters, pages.cursor);
  return (
    <>
      <PageHeader title="Audit log" description="Every change, who made it and from where. Never a secret." />
      <div role="search" className="filters" aria-label="Filter the audit log">
        <SelectField label="Action" inline value={filters.action ?? ''} onChange={(event) => setFilter('action', event.target.value)}>
          <option value="">Any</option>
          {AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </SelectField>
        <label className="field field-inline">
          <span>Target id</span>
          <input value={filters.targetId ?? ''} onChange={(event) => setFilter('targetId', event.target.value.trim())} />
        </label>
        <label className="field field-inline">
          <span>Actor (key id or portal:cus_…)</span>
          <input value={filters.actor ?? ''} onChange={(event) => setFilter('actor', event.target.value.trim())} />
        </label>
      </div>
      {audit.isPending && <Loading />}
      <ErrorMessage error={audit.error} />
      {audit.data && audit.data.data.length === 0 && <EmptyState title="No entries match">Clear a filter; every create, change and revocation is recorded here.</EmptyState>}
      {audit.data && audit.data.data.length > 0 && <DataTable caption="Audit log" columns={columns} data={audit.data.data} rowKey={(entry) => entry.id} />}
      <Pager label="Audit log" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={audit.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </>
  );
}
