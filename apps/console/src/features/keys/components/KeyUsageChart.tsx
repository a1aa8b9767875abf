import { useMemo, useState } from 'react';
import { pivotSeries, TimeSeriesChart } from '../../../components/charts';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { Loading } from '../../../components/Loading';
import { formatMoney, formatNumber } from '../../../lib/format';
import { bucketsOf, rangeEndingNow, USAGE_RANGES, useUsage } from '../../../lib/usage';
import { SelectField } from '../../../components/SelectField';

/** Requests of one key over time, one line per outcome (VALID, RATE_LIMITED, ...). */
export function KeyUsageChart({ keyId }: { keyId: string }) {
  const [rangeIndex, setRangeIndex] = useState(1);
  const range = USAGE_RANGES[rangeIndex];
  const window = useMemo(() => rangeEndingNow(range), [range]);
  const usage = useUsage({ keyId, granularity: range.granularity, ...window, groupBy: 'outcome' });
  const chart = useMemo(
    () =>
      usage.data &&
      pivotSeries(usage.data.series, (point) => point.outcome ?? 'all', (point) => point.requests, bucketsOf(window.from, window.to, range.granularity)),
    [usage.data, window, range],
  );
  return (
    <section className="card" aria-labelledby="key-usage">
      <div className="section-header">
        <h2 id="key-usage">Usage</h2>
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
      {usage.data && chart && chart.groups.length === 0 && <EmptyState title="No requests in this range">Verify the key once and its traffic shows here within seconds.</EmptyState>}
      {usage.data && chart && chart.groups.length > 0 && (
        <TimeSeriesChart
          title="Requests by outcome"
          data={chart.data}
          series={chart.groups.map((group) => ({ key: group, label: group, color: group === 'VALID' ? '#16a34a' : undefined }))}
          dayTicks={range.granularity === 'day'}
          summary={`${formatNumber(usage.data.totals.requests)} requests, ${formatNumber(usage.data.totals.units)} units, spend ${formatMoney(usage.data.totals.cost)} in this range.`}
        />
      )}
    </section>
  );
}
