import { type ReactNode, useEffect, useId, useRef } from 'react';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}

/**
 * A modal on the native <dialog> (focus trap, Escape, inert background). Its content is
 * rendered only while open: closing removes it from the DOM, secrets included. Closed, it
 * gives keyboard focus back to what had it before (the button that opened it): the
 * browser's own return does not happen once the focused content has been removed. When the
 * confirmed action removed that button (a revoked key has no Revoke), focus goes to the
 * page's heading instead of falling to the page body, so keyboard users go on from there.
 * Keep it mounted and switch `open`: unmounted while open, it has no chance to give focus back.
 */
export function Dialog({ open, title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    }
    if (!open && dialog.open) {
      dialog.close();
      const previous = opener.current;
      opener.current = null;
      (previous?.isConnected ? previous : document.querySelector<HTMLElement>('main h1'))?.focus();
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="button-ghost" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}
