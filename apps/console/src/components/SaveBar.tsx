import { ErrorMessage } from './ErrorMessage';
import { ScopedButton } from './ScopedButton';

interface SaveBarProps {
  /** The save call's state, and whether the form has changed since. */
  save: { isPending: boolean; isSuccess: boolean; error: unknown };
  dirty: boolean;
  submitLabel: string;
  savedMessage: string;
  /** The scope saving needs: without it the button is disabled and says so. */
  scope: string;
}

/** The end of an edit form: the API's error, "saved" until the next change, and the submit button. */
export function SaveBar({ save, dirty, submitLabel, savedMessage, scope }: SaveBarProps) {
  return (
    <>
      <ErrorMessage error={save.error} />
      {save.isSuccess && !dirty && (
        <p role="status" className="success">
          {savedMessage}
        </p>
      )}
      <div className="actions">
        <ScopedButton scope={scope} type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : submitLabel}
        </ScopedButton>
      </div>
    </>
  );
}
