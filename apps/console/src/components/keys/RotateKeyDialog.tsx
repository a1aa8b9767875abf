import { type AppKey, DEFAULT_ROTATION_GRACE_SECONDS, type RotateKeyRequest, type WithSecret } from '@keywarden/core';
import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../Dialog';
import { ErrorMessage } from '../ErrorMessage';
import { FormActions } from '../FormActions';
import { SecretReveal } from '../SecretReveal';
import { SelectField } from '../SelectField';

const GRACE_CHOICES = [
  { seconds: 0, label: 'None: the old secret stops now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: DEFAULT_ROTATION_GRACE_SECONDS, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days' },
];

interface RotateKeyDialogProps {
  /** The console's or the portal's rotate call for this key. */
  rotate: UseMutationResult<AppKey & WithSecret, Error, RotateKeyRequest>;
  open: boolean;
  onClose: () => void;
}

export function RotateKeyDialog({ rotate, open, onClose }: RotateKeyDialogProps) {
  const [grace, setGrace] = useState(DEFAULT_ROTATION_GRACE_SECONDS);
  const close = () => {
    rotate.reset();
    onClose();
  };
  return (
    <Dialog open={open} title={rotate.data ? 'Key rotated' : 'Rotate key'} onClose={close}>
      {rotate.data ? (
        <SecretReveal secret={rotate.data.secret} onDone={close} />
      ) : (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            rotate.mutate({ gracePeriodSeconds: grace });
          }}
        >
          <p>
            The key keeps its id, scopes and policy and gets a new secret. The current secret keeps working for the grace period; an
            older secret still in the grace of an earlier rotation stops now.
          </p>
          <SelectField label="Grace period for the current secret" value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
              {GRACE_CHOICES.map((choice) => (
                <option key={choice.seconds} value={choice.seconds}>
                  {choice.label}
                </option>
              ))}
            </SelectField>
          <ErrorMessage error={rotate.error} />
          <FormActions onCancel={close} submitLabel="Rotate key" pendingLabel="Rotating…" pending={rotate.isPending} />
        </form>
      )}
    </Dialog>
  );
}
