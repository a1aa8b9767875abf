const TONE: Record<string, string> = {
  active: 'good',
  enabled: 'good',
  succeeded: 'good',
  resolved: 'neutral',
  acknowledged: 'warn',
  pending: 'warn',
  disabled: 'warn',
  suspended: 'warn',
  open: 'bad',
  failed: 'bad',
  revoked: 'bad',
  expired: 'neutral',
  high: 'bad',
  medium: 'warn',
  low: 'neutral',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'neutral'}`}>{status}</span>;
}
