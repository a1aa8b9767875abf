import { type ButtonHTMLAttributes, useId } from 'react';

type ExplainedButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** Why the action would be refused, if so: the button is then disabled and says it. */
  unavailable?: string;
};

/**
 * A button that, when its action would be refused, is disabled and says why in words under
 * it (not only in a tooltip, which a phone never shows), so nobody clicks into an error.
 */
export function ExplainedButton({ unavailable, type = 'button', children, ...rest }: ExplainedButtonProps) {
  const hintId = useId();
  if (unavailable === undefined) {
    return (
      <button type={type} {...rest}>
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
        {unavailable}
      </small>
    </span>
  );
}
