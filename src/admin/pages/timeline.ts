// The geometry of a partner's timeline (pure): one row per provider with a segment per phase, a time
// axis covering every scheduled date and "now" with a margin, date ticks at local midnights (or month
// and year starts) in the partner's zone, and the x of "now". The view draws it as inline SVG with
// presentation attributes only (the CSP allows no inline style).

import { DateTime, type DurationLikeObject } from 'luxon';
import type { EpochMs } from '../../clock.ts';
import { boundaries, type Phase } from '../../partners/phase.ts';
import type { Integration } from '../../partners/partner.ts';
import { shortInstant } from './dates.ts';
import { textWidth, wrapLabel } from './timeline-label.ts';

export const PHASES: readonly Phase[] = ['upcoming', 'live', 'notice', 'grace', 'ended'];

/** Fill and text colours per phase (SVG presentation attributes). */
export const PHASE_COLOURS: Record<Phase, { fill: string; text: string }> = {
  upcoming: { fill: '#c9d3e6', text: '#1d2330' },
  live: { fill: '#2e9a52', text: '#ffffff' },
  notice: { fill: '#f0b429', text: '#1d2330' },
  grace: { fill: '#e06a2c', text: '#ffffff' },
  ended: { fill: '#8d939b', text: '#ffffff' },
};

export const LAYOUT = {
  width: 960,
  minLabelWidth: 96,
  /** The label column's widest: a longer provider name wraps onto more lines. */
  maxLabelWidth: 260,
  /** Space between the name and the bars. */
  labelGap: 20,
  right: 24,
  top: 30,
  rowHeight: 36,
  lineHeight: 15,
  barHeight: 24,
  axisGap: 6,
  legendGap: 40,
  fontSize: 13,
} as const;

const DAY = 24 * 60 * 60 * 1000;

export interface Segment {
  phase: Phase;
  from: EpochMs;
  to: EpochMs;
  x: number;
  width: number;
  /** Wide enough to print the phase name inside (with a margin either side). */
  labelled: boolean;
  /** `2013-09-10 00:00 – 2013-09-25 00:00` in the partner's zone (open ends say so). */
  span: string;
}

export interface Row {
  provider: string;
  label: string;
  /** The label as drawn: one line, or more when it is wider than the label column allows. */
  lines: { text: string; y: number }[];
  /** Top of the bars. */
  y: number;
  segments: Segment[];
}

export interface Timeline {
  width: number;
  /** Of every text in the drawing, in SVG units. */
  fontSize: number;
  height: number;
  x0: number;
  x1: number;
  top: number;
  axisY: number;
  legendY: number;
  start: EpochMs;
  end: EpochMs;
  rows: Row[];
  ticks: { x: number; label: string }[];
  now: { x: number; at: EpochMs; text: string; anchor: 'start' | 'middle' | 'end' };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** `phaseNames`: the words the view prints inside the bars (a segment is labelled only when its name fits). */
export function buildTimeline(
  integrations: readonly { integration: Integration; label: string }[],
  now: EpochMs,
  zone: string,
  phaseNames: Partial<Record<Phase, string>> = {},
): Timeline {
  const dates = integrations.flatMap(({ integration }) => boundaries(integration).map((b) => b.at));
  const lo = Math.min(now, ...dates);
  const hi = Math.max(now, ...dates);
  const span = Math.max(hi - lo, 30 * DAY);
  const middle = (lo + hi) / 2;
  const start = Math.floor(Math.min(lo, middle - span / 2) - span * 0.12);
  const end = Math.ceil(Math.max(hi, middle + span / 2) + span * 0.12);
  // The provider names sit left of the bars: as wide as the longest one needs, a longer one wraps.
  const wrapped = integrations.map(({ label }) => wrapLabel(label, LAYOUT.maxLabelWidth - LAYOUT.labelGap, LAYOUT.fontSize));
  const longest = Math.max(0, ...wrapped.flat().map((line) => textWidth(line, LAYOUT.fontSize, true)));
  const x0 = Math.round(Math.min(LAYOUT.maxLabelWidth, Math.max(LAYOUT.minLabelWidth, longest + LAYOUT.labelGap)));
  const x1 = LAYOUT.width - LAYOUT.right;
  const xOf = (ms: EpochMs): number => round(x0 + ((ms - start) / (end - start)) * (x1 - x0));

  // A row of n label lines is as tall as they need (at least rowHeight), its bar centred on them.
  let slotTop = LAYOUT.top;
  const rows: Row[] = integrations.map(({ integration, label }, i) => {
    const lines = wrapped[i]!;
    const slot = Math.max(LAYOUT.rowHeight, lines.length * LAYOUT.lineHeight + LAYOUT.rowHeight - LAYOUT.barHeight);
    const y = slotTop + (slot - LAYOUT.rowHeight) / 2;
    slotTop += slot;
    const steps = boundaries(integration);
    const segments: Segment[] = [];
    let phase: Phase = integration.startsAt !== undefined ? 'upcoming' : 'live';
    let from: EpochMs | undefined;
    for (const step of [...steps, undefined]) {
      const to = step?.at;
      const a = from ?? start;
      const b = to ?? end;
      if (b > a) {
        const x = xOf(a);
        const width = round(xOf(b) - x);
        const left = from === undefined ? '…' : shortInstant(from, zone);
        const right = to === undefined ? '…' : shortInstant(to, zone);
        segments.push({
          phase,
          from: a,
          to: b,
          x,
          width,
          labelled: width >= textWidth(phaseNames[phase] ?? phase, LAYOUT.fontSize) + 8,
          span: `${left} – ${right}`,
        });
      }
      if (step) {
        phase = step.phase;
        from = step.at;
      }
    }
    // One line's baseline is 16 below the bar's top (as the phase names); more lines centre on the bar.
    const first = y + 16 - ((lines.length - 1) * LAYOUT.lineHeight) / 2;
    return { provider: integration.provider, label, lines: lines.map((text, n) => ({ text, y: first + n * LAYOUT.lineHeight })), y, segments };
  });

  const axisY = (rows.length ? slotTop : LAYOUT.top + LAYOUT.rowHeight) + LAYOUT.axisGap;
  const nowX = xOf(now);
  const anchor = nowX < x0 + 60 ? 'start' : nowX > x1 - 60 ? 'end' : 'middle';
  return {
    width: LAYOUT.width,
    fontSize: LAYOUT.fontSize,
    height: axisY + LAYOUT.legendGap + 24,
    x0,
    x1,
    top: LAYOUT.top,
    axisY,
    legendY: axisY + LAYOUT.legendGap,
    start,
    end,
    rows,
    ticks: dateTicks(start, end, zone).map((t) => ({ x: xOf(t.at), label: t.label })),
    now: { x: nowX, at: now, text: shortInstant(now, zone), anchor },
  };
}

const STEPS: { step: DurationLikeObject; unit: 'day' | 'week' | 'month' | 'year'; approx: number; format: string }[] = [
  { step: { days: 1 }, unit: 'day', approx: DAY, format: 'MM-dd' },
  { step: { days: 2 }, unit: 'day', approx: 2 * DAY, format: 'MM-dd' },
  { step: { weeks: 1 }, unit: 'week', approx: 7 * DAY, format: 'MM-dd' },
  { step: { weeks: 2 }, unit: 'week', approx: 14 * DAY, format: 'MM-dd' },
  { step: { months: 1 }, unit: 'month', approx: 30.4 * DAY, format: 'yyyy-MM' },
  { step: { months: 3 }, unit: 'month', approx: 91 * DAY, format: 'yyyy-MM' },
  { step: { months: 6 }, unit: 'month', approx: 182 * DAY, format: 'yyyy-MM' },
  { step: { years: 1 }, unit: 'year', approx: 365 * DAY, format: 'yyyy' },
  { step: { years: 5 }, unit: 'year', approx: 5 * 365 * DAY, format: 'yyyy' },
  { step: { years: 25 }, unit: 'year', approx: 25 * 365 * DAY, format: 'yyyy' },
];

/** At most about ten ticks at local midnights (week, month or year starts) in `zone`, labelled MM-dd (with the year when it starts or changes), yyyy-MM or yyyy. */
export function dateTicks(start: EpochMs, end: EpochMs, zone: string): { at: EpochMs; label: string }[] {
  const choice = STEPS.find((s) => (end - start) / s.approx <= 10) ?? STEPS[STEPS.length - 1]!;
  const ticks: { at: EpochMs; label: string }[] = [];
  let t = DateTime.fromMillis(start, { zone }).startOf(choice.unit);
  for (let i = 0; i < 200 && t.toMillis() <= end; i++) {
    // The first day tick, and the first of each new year, also say the year.
    const yearShown = ticks.length === 0 || DateTime.fromMillis(ticks[ticks.length - 1]!.at, { zone }).year !== t.year;
    const format = choice.format === 'MM-dd' && yearShown ? 'yyyy-MM-dd' : choice.format;
    if (t.toMillis() >= start) ticks.push({ at: t.toMillis(), label: t.toFormat(format) });
    t = t.plus(choice.step);
  }
  return ticks;
}
