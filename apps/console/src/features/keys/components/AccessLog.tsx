import { Fragment } from 'react';
import type { AccessLogEntry } from '@keywarden/core';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { Pager } from '../../../components/Pager';
import { formatDateTime } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useKeyRequests } from '../api/keys';

const column = createColumnHelper<AccessLogEntry>();
const columns = [
  column.accessor('timestamp', { header: 'Time', cell: (cell) => formatDateTime(cell.getValue()) }),
  column.accessor('kind', { header: 'Kind' }),
  column.accessor('scope', { header: 'Scope', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('model', { header: 'Model', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('outcome', { header: 'Outcome', cell: (cell) => <OutcomeBadge outcome={cell.getValue()} /> }),
  column.accessor('ip', { header: 'IP', cell: (cell) => cell.getValue() ?? '—' }),
  column.accessor('latencyMs', { header: 'Latency', cell: (cell) => `${cell.getValue()} ms` }),
];

/** A verify's code; where the card is too narrow for it, it breaks after an underscore rather than inside a word. */
function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <span className={`badge badge-${outcome === 'VALID' ? 'good' : 'bad'}`}>
      {outcome.split('_').map((word, index) => (
        <Fragment key={index}>
          {index > 0 && (
            <>
              _<wbr />
            </>
          )}
          {word}
        </Fragment>
      ))}
    </span>
  );
}

export function AccessLog({ keyId }: { keyId: string }) {
  const pages = useCursorPages(keyId);
  const requests = useKeyRequests(keyId, pages.cursor);
  return (
    <section className="card" aria-labelledby="access-log">
      <h2 id="access-log">Access log</h2>
      {requests.isPending && <Loading />}
      <ErrorMessage error={requests.error} />
      {requests.data && requests.data.data.length === 0 && <EmptyState title="No requests recorded yet">Each verify of this key appears here, newest first.</EmptyState>}
      {requests.data && requests.data.data.length > 0 && <DataTable caption="Access log" columns={columns} data={requests.data.data} rowKey={(entry) => entry.id} />}
      <Pager label="Access log" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={requests.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </section>
  );
}
