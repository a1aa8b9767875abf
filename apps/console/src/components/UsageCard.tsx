import { useId, useMemo, useState } from 'react';
import { formatMoney, formatNumber } from '../lib/format';
import { bucketsOf, rangeEndingNow, USAGE_RANGES, type UsageFilter, useUsage } from '../lib/usage';
import { outcomeSeries, pivotSeries, TimeSeriesChart } from './charts';
import { EmptyState } from './EmptyState';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';
import { SelectField } from './SelectField';

interface UsageCardProps {
  /** Whose usage: a key, a customer, an app; empty for the portal session's customer. */
  filter: UsageFilter;
  title?: string;
  /** `/v1/usage` (console) or `/v1/portal/usage` (portal). */
  path?: string;
  /** Adds a chart of spend per bucket under the requests. */
  spend?: boolean;
  emptyHint: string;
}

/** Requests over time, one line per outcome (VALID, RATE_LIMITED, ...), and optionally spend. */
export function UsageCard({ filter, title = 'Usage', path, spend, emptyHint }: UsageCardProps) {
  const headingId = useId();
  const [rangeIndex, setRangeIndex] = useState(1);
  const range = USAGE_RANGES[rangeIndex];
  const window = useMemo(() => rangeEndingNow(range), [range]);
  const usage = useUsage({ ...filter, granularity: range.granularity, ...window, groupBy: 'outcome' }, path);
  const charts = useMemo(() => {
    if (!usage.data) return null;
    const buckets = bucketsOf(window.from, window.to, range.granularity);
    return {
      requests: pivotSeries(usage.data.series, (point) => point.outcome ?? 'all', (point) => point.requests, buckets),
      spend: pivotSeries(usage.data.series, () => 'spend', (point) => point.cost, buckets),
    };
  }, [usage.data, window, range]);
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId}>{title}</h2>
        <SelectField label="Range" inline value={rangeIndex} onChange={(event) => setRangeIndex(Number(event.target.value))}>
          {USAGE_RANGES.map((option, index) => (
            <option key={option.label} value={index}>
              {option.label}
            </option>
          ))}
        </SelectField>
      </div>
      {usage.isPending && <Loading />}
      <ErrorMessage error={usage.error} />
      {usage.data && charts && charts.requests.groups.length === 0 && <EmptyState title="No requests in this range">{emptyHint}</EmptyState>}
      {usage.data && charts && charts.requests.groups.length > 0 && (
        <div className="stack">
          <TimeSeriesChart
            title="Requests by outcome"
            data={charts.requests.data}
            series={outcomeSeries(charts.requests.groups)}
            dayTicks={range.granularity === 'day'}
            summary={`${formatNumber(usage.data.totals.requests)} requests, ${formatNumber(usage.data.totals.units)} units, spend ${formatMoney(usage.data.totals.cost)} in this range.`}
          />
          {spend && (
            <TimeSeriesChart
              title="Spend"
              data={charts.spend.data}
              series={[{ key: 'spend', label: 'spend', color: '#7c3aed' }]}
              dayTicks={range.granularity === 'day'}
              decimals
              height={200}
            />
          )}
        </div>
      )}
    </section>
  );
}
