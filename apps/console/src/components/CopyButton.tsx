import { useState } from 'react';

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
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
