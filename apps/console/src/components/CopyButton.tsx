import { useState } from 'react';

export function CopyButton({ value, label = 'Copy', autoFocus = false }: { value: string; label?: string; autoFocus?: boolean }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      autoFocus={autoFocus}
      className="button-secondary"
      onClick={() => {
        navigator.clipboard.writeText(value).then(
          () => setCopied('copied'),
          () => setCopied('failed'),
        );
      }}
    >
      {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed: select and copy by hand' : label}
    </button>
  );
}
