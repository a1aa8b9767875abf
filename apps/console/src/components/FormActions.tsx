interface FormActionsProps {
  onCancel: () => void;
  submitLabel: string;
  pendingLabel: string;
  pending?: boolean;
  disabled?: boolean;
  danger?: boolean;
  /** `submit` inside a form; `button` with onSubmit outside one. */
  onSubmit?: () => void;
}

/** Cancel and the main action, at the end of every dialog. */
export function FormActions({ onCancel, submitLabel, pendingLabel, pending, disabled, danger, onSubmit }: FormActionsProps) {
  return (
    <div className="actions">
      <button type="button" className="button-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button
        type={onSubmit ? 'button' : 'submit'}
        className={danger ? 'button-danger' : 'button-primary'}
        disabled={pending || disabled}
        onClick={onSubmit}
      >
        {pending ? pendingLabel : submitLabel}
      </button>
    </div>
  );
}
