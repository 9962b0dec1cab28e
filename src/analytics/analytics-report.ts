// The per-provider analytics of a shop over a window of whole days ending today, days being dates in the
// shop's time zone (src/events/login-days.ts says how a change of zone is handled): for each sign-in
// method, the attempts by outcome (success, denied, upstream failure, refused by the lifecycle), the
// accounts it created, the identities linked and unlinked, the upstream failure rate — upstream failures
// among the attempts that reached the provider (success, denied, upstream failure) — and the median and
// 95th percentile of the upstream time, estimated from the fixed buckets of the day summaries (linear
// within a bucket; a value in the overflow bucket is reported as the last bound). Also the attempts per
// day by method and outcome, for the chart. Pure: built from the shop's day summaries (login-days.ts).

import { dayLabel, type LoginOutcome } from '../events/login-event.ts';
import { type LoginDay, UPSTREAM_BUCKETS_MS } from '../events/login-days.ts';

export const OUTCOMES: readonly LoginOutcome[] = ['success', 'denied', 'upstream_failure', 'refused'];
export const WINDOW_DAYS = [7, 30, 90] as const;
export const DEFAULT_WINDOW_DAYS = 30;

export type OutcomeCounts = Record<LoginOutcome, number>;

export interface ProviderAnalytics {
  method: string;
  signIns: OutcomeCounts & { total: number };
  created: number;
  links: number;
  unlinks: number;
  /** Upstream failures among success + denied + upstream failure; null without such attempts. */
  upstreamFailureRate: number | null;
  upstream: { timed: number; medianMs: number | null; p95Ms: number | null };
}

export interface AnalyticsReport {
  partner: string;
  days: number;
  /** The shop's IANA time zone: the days are dates there. */
  timeZone: string;
  /** First and last day of the window (dates in `timeZone`, inclusive). */
  from: string;
  to: string;
  providers: ProviderAnalytics[];
  /** One entry per day of the window, oldest first: attempts by method and outcome (methods with none left out). */
  perDay: { day: string; methods: Record<string, OutcomeCounts> }[];
}

/**
 * The report for `partner` over `days` days ending on day `today` (the date in `timeZone`, as days since
 * the epoch). `methods` are listed even without any attempt (the shop's integrations); others appear when
 * the window has data.
 */
export function analyticsReport(
  partner: string,
  timeZone: string,
  summaries: readonly LoginDay[],
  today: number,
  days: number,
  methods: readonly string[],
): AnalyticsReport {
  const first = today - days + 1;
  const inWindow = summaries.filter((d) => d.partner === partner && d.day >= first && d.day <= today);
  const byMethod = new Map<string, { counts: OutcomeCounts; created: number; links: number; unlinks: number; buckets: number[] }>();
  const of = (method: string) => {
    const m = byMethod.get(method) ?? { counts: zeroCounts(), created: 0, links: 0, unlinks: 0, buckets: [] };
    byMethod.set(method, m);
    return m;
  };
  for (const method of methods) of(method);
  const perDay = new Map<number, Record<string, OutcomeCounts>>();
  for (const d of inWindow) {
    const day = (perDay.get(d.day) ?? perDay.set(d.day, {}).get(d.day))!;
    for (const [key, n] of Object.entries(d.counts)) {
      const [method, outcome] = key.split('|') as [string, LoginOutcome];
      if (!OUTCOMES.includes(outcome)) continue;
      of(method).counts[outcome] += n;
      const counts = day[method] ?? zeroCounts();
      counts[outcome] += n;
      day[method] = counts;
    }
    for (const [method, n] of Object.entries(d.created)) of(method).created += n;
    for (const [method, n] of Object.entries(d.links ?? {})) of(method).links += n;
    for (const [method, n] of Object.entries(d.unlinks ?? {})) of(method).unlinks += n;
    for (const [method, b] of Object.entries(d.upstream ?? {})) {
      const into = of(method).buckets;
      b.forEach((n, i) => {
        into[i] = (into[i] ?? 0) + n;
      });
    }
  }
  const providers = [...byMethod.entries()].map(([method, m]): ProviderAnalytics => {
    const reached = m.counts.success + m.counts.denied + m.counts.upstream_failure;
    const timed = m.buckets.reduce((a, b) => a + b, 0);
    return {
      method,
      signIns: { ...m.counts, total: OUTCOMES.reduce((n, o) => n + m.counts[o], 0) },
      created: m.created,
      links: m.links,
      unlinks: m.unlinks,
      upstreamFailureRate: reached ? Math.round((m.counts.upstream_failure / reached) * 10_000) / 10_000 : null,
      upstream: { timed, medianMs: bucketQuantile(m.buckets, 0.5), p95Ms: bucketQuantile(m.buckets, 0.95) },
    };
  });
  return {
    partner,
    days,
    timeZone,
    from: dayLabel(first),
    to: dayLabel(today),
    providers,
    perDay: Array.from({ length: days }, (_, i) => ({ day: dayLabel(first + i), methods: perDay.get(first + i) ?? {} })),
  };
}

/** One day of the window with its methods' numbers counted over that day alone. */
export interface AnalyticsDay {
  day: string;
  providers: ProviderAnalytics[];
}

/**
 * The report's numbers day by day (for the CSV): each day of its window, oldest first, with the methods of
 * `report.providers` in the same order, counted as the report counts them but over that one day (`today`
 * is the report's last day, as days since the epoch).
 */
export function analyticsDays(report: AnalyticsReport, summaries: readonly LoginDay[], today: number): AnalyticsDay[] {
  const methods = report.providers.map((p) => p.method);
  return Array.from({ length: report.days }, (_, i) => {
    const day = today - report.days + 1 + i;
    return { day: dayLabel(day), providers: analyticsReport(report.partner, report.timeZone, summaries, day, 1, methods).providers };
  });
}

/** The q-quantile (0..1) of a histogram over UPSTREAM_BUCKETS_MS, in whole ms; null when it is empty. */
export function bucketQuantile(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const target = q * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && below + n >= target) {
      const upper = UPSTREAM_BUCKETS_MS[i];
      if (upper === undefined) return UPSTREAM_BUCKETS_MS.at(-1)!;
      const lower = i === 0 ? 0 : UPSTREAM_BUCKETS_MS[i - 1]!;
      return Math.round(lower + ((upper - lower) * (target - below)) / n);
    }
    below += n;
  }
  return UPSTREAM_BUCKETS_MS.at(-1)!;
}

/** A rate as people read it, `2.5%`; `—` for none. */
export function percentText(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

function zeroCounts(): OutcomeCounts {
  return { success: 0, denied: 0, upstream_failure: 0, refused: 0 };
}
