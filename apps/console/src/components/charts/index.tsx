import { lazy, Suspense } from 'react';
import { Loading } from '../Loading';
import type { TimeSeriesChartProps } from './types';

export type { ChartSeries, TimeSeriesChartProps } from './types';
export { outcomeSeries } from './outcome-series';

// The chart library is the heaviest dependency: loaded only when a chart is on screen.
const LazyTimeSeriesChart = lazy(() => import('./TimeSeriesChart'));

interface ChartProps extends TimeSeriesChartProps {
  /** Says what the chart shows, for screen readers and as its caption. */
  title: string;
  summary?: string;
}

export function TimeSeriesChart({ title, summary, ...props }: ChartProps) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <Suspense fallback={<Loading label="Loading chart…" />}>
        <LazyTimeSeriesChart {...props} />
      </Suspense>
      {summary && <p className="muted small">{summary}</p>}
    </figure>
  );
}

/**
 * Usage series (one row per bucket and group) → one row per bucket with a column per
 * group; `buckets` adds the empty ones as zeros.
 */
export function pivotSeries<T extends { bucket: string }>(
  points: T[],
  groupOf: (point: T) => string,
  valueOf: (point: T) => number,
  buckets: number[] = [],
) {
  const rows = new Map<number, { t: number } & Record<string, number>>();
  for (const t of buckets) rows.set(t, { t } as { t: number } & Record<string, number>);
  const groups = new Set<string>();
  for (const point of points) {
    const t = new Date(point.bucket).getTime();
    const group = groupOf(point);
    groups.add(group);
    const row = rows.get(t) ?? ({ t } as { t: number } & Record<string, number>);
    row[group] = (row[group] ?? 0) + valueOf(point);
    rows.set(t, row);
  }
  const data = [...rows.values()].sort((a, b) => a.t - b.t);
  for (const row of data) for (const group of groups) row[group] ??= 0;
  return { data, groups: [...groups].sort() };
}
