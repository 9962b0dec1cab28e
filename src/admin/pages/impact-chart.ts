// The impact page's two charts as plain geometry for the view to draw as inline SVG (no script, no
// external asset): a horizontal bar split into stranded / at risk / safe, and the cumulative migration
// since notice as a step line over days, with its axis labels.

import type { ImpactReport } from '../../impact/impact-report.ts';

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

export interface ProgressLine {
  width: number;
  height: number;
  /** SVG path `d` of the cumulative line. */
  path: string;
  max: number;
  first: string;
  last: string;
}

/** The migration progress as a step line in a 600×160 box; undefined with fewer than two days. */
export function progressLine(report: ImpactReport): ProgressLine | undefined {
  const points = report.migration.progress;
  if (points.length < 2) return undefined;
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...points.map((p) => p.migrated));
  const x = (i: number) => Math.round((i / (points.length - 1)) * width * 10) / 10;
  const y = (n: number) => Math.round((height - (n / max) * height) * 10) / 10;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i)} ${y(p.migrated)}`).join(' ');
  return { width, height, path, max, first: points[0]!.day, last: points.at(-1)!.day };
}
