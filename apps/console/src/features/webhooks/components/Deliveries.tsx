import type { WebhookDelivery } from '@keywarden/core';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { Pager } from '../../../components/Pager';
import { StatusBadge } from '../../../components/StatusBadge';
import { formatDateTime } from '../../../lib/format';
import { useCursorPages } from '../../../lib/use-cursor-pages';
import { useDeliveries, useRedeliver } from '../api/webhooks';
import { ScopedButton } from '../../../components/ScopedButton';

/**
 * Newest first; each delivery opens onto its attempts (status, latency, the start of the
 * answer). `disabledHintId`: the endpoint is disabled, nothing can be redelivered, and that
 * element says why.
 */
export function Deliveries({ endpointId, disabledHintId }: { endpointId: string; disabledHintId?: string }) {
  const pages = useCursorPages(endpointId);
  const deliveries = useDeliveries(endpointId, pages.cursor);
  const redeliver = useRedeliver(endpointId);
  return (
    <section className="card" aria-labelledby="deliveries">
      <h2 id="deliveries">Deliveries</h2>
      {deliveries.isPending && <Loading />}
      <ErrorMessage error={deliveries.error ?? redeliver.error} />
      {deliveries.data && deliveries.data.data.length === 0 && (
        <EmptyState title="Nothing delivered yet">Send a test event: it arrives within seconds, and every attempt shows here.</EmptyState>
      )}
      <ul className="plain-list">
        {deliveries.data?.data.map((delivery) => (
          <li key={delivery.id}>
            <DeliveryItem
              delivery={delivery}
              onRedeliver={() => redeliver.mutate(delivery.id)}
              pending={redeliver.isPending && redeliver.variables === delivery.id}
              disabledHintId={disabledHintId}
            />
          </li>
        ))}
      </ul>
      <Pager label="Deliveries" pageNumber={pages.pageNumber} hasPrevious={pages.hasPrevious} nextCursor={deliveries.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
    </section>
  );
}

function DeliveryItem({
  delivery,
  onRedeliver,
  pending,
  disabledHintId,
}: {
  delivery: WebhookDelivery;
  onRedeliver: () => void;
  pending: boolean;
  disabledHintId?: string;
}) {
  return (
    <details className="delivery">
      <summary>
        <code>{delivery.eventType}</code> <StatusBadge status={delivery.status} />{' '}
        <span>
          {delivery.attempts} {delivery.attempts === 1 ? 'attempt' : 'attempts'}
        </span>
        {delivery.lastStatusCode !== null && <span className="muted"> · HTTP {delivery.lastStatusCode}</span>}
        <span className="muted small"> · {formatDateTime(delivery.createdAt)}</span>
      </summary>
      <div className="stack">
        <p className="muted small">
          Event <code>{delivery.eventId}</code>
          {delivery.nextAttemptAt && <> · next attempt {formatDateTime(delivery.nextAttemptAt)}</>}
        </p>
        {delivery.attemptLog.length > 0 && (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">Attempts of delivery {delivery.id}</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Status</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Answer / error</th>
                </tr>
              </thead>
              <tbody>
                {delivery.attemptLog.map((attempt) => (
                  <tr key={attempt.attemptedAt}>
                    <td data-label="Time">{formatDateTime(attempt.attemptedAt)}</td>
                    <td data-label="Status">{attempt.statusCode ?? '—'}</td>
                    <td data-label="Latency">{attempt.latencyMs} ms</td>
                    <td data-label="Answer / error">
                      <code>{attempt.error ?? attempt.responseBody ?? ''}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="actions">
          <ScopedButton scope="webhooks.write" className="button-secondary" onClick={onRedeliver} disabled={pending || disabledHintId !== undefined} aria-describedby={disabledHintId}>
            {pending ? 'Queuing…' : 'Redeliver'}
          </ScopedButton>
        </div>
      </div>
    </details>
  );
}
