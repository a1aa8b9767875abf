import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TimeSeriesChartProps } from './types';

const tick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const tickDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Time on x, one line per series (dashed for reference levels), and an optional shaded span. */
export default function TimeSeriesChart({ data, series, highlight, height = 260, dayTicks, decimals }: TimeSeriesChartProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(value: number) => (dayTicks ? tickDay : tick).format(new Date(value))}
          minTickGap={24}
        />
        <YAxis allowDecimals={decimals ?? false} width={48} />
        <Tooltip labelFormatter={(value) => new Date(Number(value)).toLocaleString()} />
        <Legend />
        {highlight && <ReferenceArea x1={highlight.from} x2={highlight.to} fill="#fde68a" fillOpacity={0.4} label={highlight.label} />}
        {series.map((item) => (
          <Line
            key={item.key}
            type="monotone"
            dataKey={item.key}
            name={item.label}
            stroke={item.color}
            strokeDasharray={item.dashed ? '6 4' : undefined}
            dot={false}
            strokeWidth={2}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
