import type { AppKey, LeakAction, LeakResponse } from '@keywarden/core';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { FormActions } from '../../../components/FormActions';
import { useKeyApp, useReportLeak } from '../api/keys';

interface ReportLeakForm {
  source: string;
  url: string;
}

/** What the app's leak response does to the key, as the dialog says it before the report. */
const LEAK_RESPONSE_TEXT: Record<LeakResponse, string> = {
  revoke: 'The key is revoked at once on every API instance. Revocation is final: the customer needs a new key.',
  disable: 'The key is disabled: verify refuses it (KEY_DISABLED) until someone enables it again.',
  notify: 'The key keeps working (the app only notifies): revoke, disable or rotate it yourself.',
};

/** What the report did, as the outcome says it. */
const LEAK_ACTION_TEXT: Record<LeakAction, string> = {
  revoked: 'The key was revoked.',
  disabled: 'The key was disabled.',
  none: 'The key was not changed (already refused, or the app only notifies).',
};

/**
 * Reports a leak of the key (`POST /v1/leaks`): the app's leak response runs, a `leak` alert
 * opens (or the report joins the key's open incident), `key.leaked` goes to the webhooks.
 */
export function ReportLeakDialog({ appKey, open, onClose }: { appKey: AppKey; open: boolean; onClose: () => void }) {
  const report = useReportLeak(appKey.id);
  const app = useKeyApp(appKey.appId, { enabled: open });
  const { register, handleSubmit, reset } = useForm<ReportLeakForm>({ defaultValues: { source: '', url: '' } });
  const close = () => {
    report.reset();
    reset();
    onClose();
  };
  const outcome = report.data;
  return (
    <Dialog open={open} title={outcome ? 'Leak reported' : 'Report a leak of this key'} onClose={close}>
      {outcome ? (
        <div className="stack">
          <p role="status" className="success">
            {LEAK_ACTION_TEXT[outcome.action]}
          </p>
          <p>
            {outcome.newIncident ? 'A leak alert was opened' : 'The report joined the open leak alert of this key'}:{' '}
            <Link to={`/alerts/${outcome.alertId}`}>{outcome.alertId}</Link>.
          </p>
          {!outcome.propagation.confirmed && (
            <p className="warning">
              Not every API instance confirmed in time ({outcome.propagation.acknowledged} of {outcome.propagation.instances}); they drop the key
              from their caches within seconds.
            </p>
          )}
          <div className="actions">
            <button type="button" className="button-primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={handleSubmit((values) => report.mutate({ source: values.source.trim() || undefined, url: values.url.trim() || undefined }))}
        >
          <p>
            {app.data ? (
              <>
                This app's leak response is <strong>{app.data.leakResponse}</strong>. {LEAK_RESPONSE_TEXT[app.data.leakResponse]}
              </>
            ) : (
              "The app's leak response runs (revoke by default)."
            )}{' '}
            A leak alert records the report, and the app's webhooks receive <code>key.leaked</code>.
          </p>
          <label className="field">
            <span>Where it was found (optional)</span>
            <input {...register('source')} placeholder="e.g. support ticket 4711, pastebin" maxLength={200} />
          </label>
          <label className="field">
            <span>URL (optional)</span>
            <input type="url" {...register('url')} placeholder="https://…" maxLength={2048} />
          </label>
          <ErrorMessage error={report.error} />
          <FormActions onCancel={close} submitLabel="Report leak" pendingLabel="Reporting…" pending={report.isPending} danger />
        </form>
      )}
    </Dialog>
  );
}
