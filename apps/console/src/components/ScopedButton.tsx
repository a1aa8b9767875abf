import type { ButtonHTMLAttributes } from 'react';
import { ExplainedButton } from './ExplainedButton';
import { useHasScope } from '../lib/signed-in-actor';
import { useReadOnlyReason } from './ScopedFieldset';

type ScopedButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** The management scope the button's action needs. */
  scope: string;
  /** Why the signed-in key may not do this even with the scope (the API would refuse it), if so. */
  unavailable?: string;
};

/**
 * A button whose action needs a scope. Without it (or when `unavailable` says why the API
 * would refuse anyway) the button is disabled and says why under it ("needs keys.revoke"),
 * so a role never clicks into a 403. Inside a ScopedFieldset that is read only for the same
 * scope it points at that fieldset's line instead of repeating it.
 */
export function ScopedButton({ scope, unavailable, type = 'button', disabled, children, ...rest }: ScopedButtonProps) {
  const held = useHasScope()(scope);
  const reason = held ? unavailable : `needs ${scope}`;
  const readOnly = useReadOnlyReason();
  // In a form already marked read only for this scope, the reason is said once, above the fields.
  if (!held && readOnly?.scope === scope) {
    return (
      <button type={type} {...rest} onClick={undefined} disabled aria-describedby={readOnly.hintId}>
        {children}
      </button>
    );
  }
  return (
    <ExplainedButton type={type} disabled={disabled} unavailable={reason} {...rest}>
      {children}
    </ExplainedButton>
  );
}
