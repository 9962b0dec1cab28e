// Lines over days as plain geometry for a view to draw as inline SVG (views/admin/partials/line-chart.ejs:
// no script, no external asset): one path per series in a 600×160 box sharing one vertical scale from 0,
// with the first and last day for the axis. Used by the impact page (migration) and the partner page
// (sign-ins per day by provider).

export interface LineSeries {
  key: string;
  colour: string;
  values: readonly number[];
}

export interface LineChart {
  width: number;
  height: number;
  max: number;
  first: string;
  last: string;
  /** SVG path `d` per series, in the order given. */
  lines: { key: string; colour: string; path: string }[];
}

const WIDTH = 600;
const HEIGHT = 160;

/** The chart of `series` over `days` (labels, oldest first); undefined with fewer than two days. */
export function lineChart(days: readonly string[], series: readonly LineSeries[]): LineChart | undefined {
  if (days.length < 2) return undefined;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => Math.round((i / (days.length - 1)) * WIDTH * 10) / 10;
  const y = (n: number) => Math.round((HEIGHT - (n / max) * HEIGHT) * 10) / 10;
  return {
    width: WIDTH,
    height: HEIGHT,
    max,
    first: days[0]!,
    last: days.at(-1)!,
    lines: series.map((s) => ({ key: s.key, colour: s.colour, path: s.values.map((v, i) => `${i ? 'L' : 'M'}${x(i)} ${y(v)}`).join(' ') })),
  };
}
