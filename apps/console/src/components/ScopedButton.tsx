import { type ButtonHTMLAttributes, useId } from 'react';
import { useHasScope } from '../lib/signed-in-actor';

type ScopedButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** The management scope the button's action needs. */
  scope: string;
};

/**
 * A button whose action needs a scope. Without it the button is disabled and says which
 * scope it needs ("needs keys.revoke"), so a role never clicks into a 403.
 */
export function ScopedButton({ scope, type = 'button', disabled, children, ...rest }: ScopedButtonProps) {
  const held = useHasScope()(scope);
  const hintId = useId();
  if (held) {
    return (
      <button type={type} disabled={disabled} {...rest}>
        {children}
      </button>
    );
  }
  return (
    <span className="scoped-action">
      <button type={type} {...rest} onClick={undefined} disabled aria-describedby={hintId}>
        {children}
      </button>
      <small id={hintId} className="muted">
        needs {scope}
      </small>
    </span>
  );
}
