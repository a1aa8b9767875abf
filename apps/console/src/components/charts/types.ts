export interface ChartSeries {
  key: string;
  label: string;
  color?: string;
}

export interface TimeSeriesChartProps {
  /** Rows with `t` (epoch ms) and one number per series key. */
  data: Array<{ t: number } & Record<string, number>>;
  series: ChartSeries[];
  referenceLines?: Array<{ y: number; label: string; color?: string }>;
  highlight?: { from: number; to: number; label: string };
  height?: number;
  dayTicks?: boolean;
}
