export interface ChartSeries {
  key: string;
  label: string;
  /** Given by what the line shows (an outcome, spend), never by its position among the lines. */
  color: string;
  /** A reference level (e.g. what was expected) rather than a measurement. */
  dashed?: boolean;
}

export interface TimeSeriesChartProps {
  /** Rows with `t` (epoch ms) and one number per series key. */
  data: Array<{ t: number } & Record<string, number>>;
  series: ChartSeries[];
  highlight?: { from: number; to: number; label: string };
  height?: number;
  dayTicks?: boolean;
  /** Values with decimals (money) rather than counts. */
  decimals?: boolean;
}
