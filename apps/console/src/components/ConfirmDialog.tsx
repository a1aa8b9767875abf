import type { ReactNode } from 'react';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { FormActions } from './FormActions';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  pending?: boolean;
  error?: unknown;
  danger?: boolean;
  children: ReactNode;
}

export function ConfirmDialog({ open, title, confirmLabel, onConfirm, onClose, pending, error, danger, children }: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="stack">
        {children}
        <ErrorMessage error={error} />
        <FormActions onCancel={onClose} submitLabel={confirmLabel} pendingLabel="Working…" pending={pending} danger={danger} onSubmit={onConfirm} />
      </div>
    </Dialog>
  );
}
