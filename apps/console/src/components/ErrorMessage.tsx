import { ApiRequestError } from '../lib/api-client';

/** The API's own message (and field details), never a generic "something went wrong". */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : 'Unexpected error';
  const details = error instanceof ApiRequestError ? (error.details ?? []) : [];
  const requestId = error instanceof ApiRequestError ? error.requestId : undefined;
  return (
    <div role="alert" className="error">
      <p>{message}</p>
      {details.length > 1 && (
        <ul>
          {details.map((detail) => (
            <li key={`${detail.field}:${detail.message}`}>
              <code>{detail.field}</code> {detail.message}
            </li>
          ))}
        </ul>
      )}
      {requestId && <p className="muted small">Request id: {requestId}</p>}
    </div>
  );
}
