// The impact page's two charts as plain geometry for the view to draw as inline SVG (no script, no
// external asset): a horizontal bar split into stranded / at risk / safe, and the cumulative migration
// since notice as a line over days (line-chart.ts).

import type { ImpactReport } from '../../impact/impact-report.ts';
import { type LineChart, lineChart } from './line-chart.ts';

export const GROUP_COLOURS = { stranded: '#c62828', atRisk: '#ef8f00', safe: '#2e7d32' } as const;

export interface BarSegment {
  group: keyof typeof GROUP_COLOURS;
  x: number;
  width: number;
  count: number;
  colour: string;
}

const BAR_WIDTH = 600;

/** The stacked bar of the affected shoppers (empty when none). */
export function groupBar(report: ImpactReport): BarSegment[] {
  const { stranded, atRisk, safe, affected } = report.shoppers;
  if (affected === 0) return [];
  let x = 0;
  return (
    [
      ['stranded', stranded],
      ['atRisk', atRisk],
      ['safe', safe],
    ] as const
  ).map(([group, count]) => {
    const width = Math.round((count / affected) * BAR_WIDTH * 10) / 10;
    const segment = { group, x, width, count, colour: GROUP_COLOURS[group] };
    x += width;
    return segment;
  });
}

/** The migration progress as one cumulative line (line-chart.ts); undefined with fewer than two days. */
export function progressLine(report: ImpactReport): LineChart | undefined {
  const points = report.migration.progress;
  return lineChart(
    points.map((p) => p.day),
    [{ key: 'migrated', colour: GROUP_COLOURS.safe, values: points.map((p) => p.migrated) }],
  );
}
