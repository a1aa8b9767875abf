import { CopyButton } from './CopyButton';

/** The only time a key's secret is shown: copy it now, it cannot be read again. */
export function SecretReveal({ secret, onDone, what = 'key' }: { secret: string; onDone: () => void; what?: string }) {
  return (
    <div className="stack">
      <p className="warning" role="status">
        Copy this {what} now. It will not be shown again: Keywarden stores only a hash of it.
      </p>
      <div className="secret-row">
        <code className="secret" aria-label={`New ${what}`}>
          {secret}
        </code>
        <CopyButton value={secret} label={`Copy ${what}`} />
      </div>
      <div className="actions">
        <button type="button" className="button-primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
