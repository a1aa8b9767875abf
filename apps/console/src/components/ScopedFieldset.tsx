import { createContext, type ReactNode, useContext, useId } from 'react';
import { useHasScope } from '../lib/signed-in-actor';

/** Inside a read-only form: the scope it lacks and the id of the one line that says so. */
const ReadOnlyReason = createContext<{ scope: string; hintId: string } | null>(null);

/** The reason of the read-only form around a control, if any (ScopedButton uses it to not repeat it). */
export function useReadOnlyReason(): { scope: string; hintId: string } | null {
  return useContext(ReadOnlyReason);
}

/**
 * The fields of a form that saving needs a scope for. Without the scope every input, select
 * and button inside is disabled (one disabled fieldset) and one line above them says why
 * ("Read only: needs apps.write"), so a role cannot edit what it may not save.
 */
export function ScopedFieldset({ scope, children }: { scope: string; children: ReactNode }) {
  const held = useHasScope()(scope);
  const hintId = useId();
  if (held) return <fieldset className="form-fields stack">{children}</fieldset>;
  return (
    <ReadOnlyReason.Provider value={{ scope, hintId }}>
      <p className="muted read-only-note">
        Read only: <span id={hintId}>needs {scope}</span>
      </p>
      <fieldset className="form-fields stack" disabled aria-describedby={hintId}>
        {children}
      </fieldset>
    </ReadOnlyReason.Provider>
  );
}
