import { CopyButton } from './CopyButton';

/** A webhook signing secret is kept (encrypted) because every delivery is signed with it. */
export const WEBHOOK_SECRET_STORAGE = 'Keywarden stores it encrypted and uses it only to sign deliveries.';

interface SecretRevealProps {
  secret: string;
  onDone: () => void;
  what?: string;
  /** How Keywarden keeps it: a key's secret only as a hash; a webhook signing secret encrypted, since deliveries are signed with it. */
  storage?: string;
}

/** The only time a secret is shown: copy it now, it cannot be read again. */
export function SecretReveal({ secret, onDone, what = 'key', storage = 'Keywarden stores only a hash of it.' }: SecretRevealProps) {
  return (
    <div className="stack">
      <p className="warning" role="status">
        Copy this {what} now. It will not be shown again: {storage}
      </p>
      <div className="secret-row">
        <code className="secret" aria-label={`New ${what}`}>
          {secret}
        </code>
        {/* It takes the place of the button that asked for the secret: focus goes to what to do next. */}
        <CopyButton value={secret} label={`Copy ${what}`} autoFocus />
      </div>
      <div className="actions">
        <button type="button" className="button-primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
