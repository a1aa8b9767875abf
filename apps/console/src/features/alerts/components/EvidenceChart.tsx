import type { Alert } from '@keywarden/core';
import { useMemo } from 'react';
import { pivotSeries, TimeSeriesChart } from '../../../components/charts';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { bucketsOf, useUsage } from '../../../lib/usage';

const MINUTE = 60_000;
const AROUND_MS = 30 * MINUTE;

/** `1m`, `15m`, `2h` → minutes. */
export function windowMinutes(window: string): number {
  const match = /^(\d+)([mh])$/.exec(window);
  if (!match) return 1;
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
}

/**
 * The key's requests per minute from half an hour before the alert to half an hour after
 * its last detection, against the level the detector expected (the evidence's expected
 * count spread over its window); the detected span is shaded.
 */
export function EvidenceChart({ alert }: { alert: Alert }) {
  const detected = Date.parse(alert.detectedAt);
  const last = Date.parse(alert.lastDetectedAt);
  const range = useMemo(() => {
    const from = Math.floor((detected - AROUND_MS) / MINUTE) * MINUTE;
    const to = Math.min(Math.ceil((last + AROUND_MS) / MINUTE) * MINUTE, Math.ceil(Date.now() / MINUTE) * MINUTE);
    return { from: new Date(from).toISOString(), to: new Date(Math.max(to, from + MINUTE)).toISOString() };
  }, [detected, last]);
  const usage = useUsage({ keyId: alert.keyId, granularity: 'minute', ...range, ...(alert.model ? { model: alert.model } : {}) });
  const expectedPerMinute = Math.round((alert.evidence.expected / windowMinutes(alert.evidence.window)) * 100) / 100;
  const data = useMemo(
    () =>
      usage.data &&
      pivotSeries(usage.data.series, () => 'observed', (point) => point.requests, bucketsOf(range.from, range.to, 'minute')).data.map((row) => ({
        ...row,
        expected: expectedPerMinute,
      })),
    [usage.data, range, expectedPerMinute],
  );
  if (usage.isPending) return <Loading label="Loading the key's traffic…" />;
  if (usage.isError) return <ErrorMessage error={usage.error} />;
  return (
    <TimeSeriesChart
      title="Observed vs expected requests per minute"
      data={data ?? []}
      series={[
        { key: 'observed', label: 'observed', color: '#dc2626' },
        { key: 'expected', label: `expected (${expectedPerMinute}/min)`, color: '#2563eb', dashed: true },
      ]}
      highlight={{ from: Math.floor(detected / MINUTE) * MINUTE, to: Math.max(Math.ceil(last / MINUTE) * MINUTE, detected + MINUTE), label: 'alert' }}
      summary={`Observed ${alert.evidence.observed} where ${alert.evidence.expected} were expected over ${alert.evidence.window}; baseline learned from ${alert.evidence.baselineHours} hours.`}
    />
  );
}
