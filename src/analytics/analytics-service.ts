// Builds a shop's per-provider analytics from the store: one indexed read of the shop's day summaries
// (`login_days` by partner: at most one document per day of the retention), handed to the pure report
// (analytics-report.ts), today being the date now in the shop's time zone. The shop's integrations are
// listed even on days without sign-ins. Also the report as CSV for a spreadsheet: one row per day and
// method with that day's numbers (the attempts by outcome first, as the CSV had them, then the rest).

import type { EpochMs } from '../clock.ts';
import { localDayOf } from '../events/login-event.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay } from '../events/login-days.ts';
import { csvText } from '../http/csv.ts';
import type { Partner } from '../partners/partner.ts';
import type { Store } from '../store/store.ts';
import { type AnalyticsDay, analyticsDays, type AnalyticsReport, analyticsReport, OUTCOMES } from './analytics-report.ts';

export async function buildAnalytics(store: Store, partner: Partner, now: EpochMs, days: number): Promise<AnalyticsReport> {
  return (await windowOf(store, partner, now, days)).report;
}

/** The report over the window as CSV, one row per day and method (analyticsCsv). */
export async function buildAnalyticsCsv(store: Store, partner: Partner, now: EpochMs, days: number): Promise<string> {
  const { report, summaries, today } = await windowOf(store, partner, now, days);
  return analyticsCsv(analyticsDays(report, summaries, today));
}

/** The CSV header: the attempts by outcome first (the columns of old), then the rest of the report's numbers. */
export const ANALYTICS_CSV_HEADER = [
  'day',
  'method',
  ...OUTCOMES,
  'new_accounts',
  'links',
  'unlinks',
  'upstream_failure_rate',
  'upstream_timed',
  'upstream_median_ms',
  'upstream_p95_ms',
] as const;

/**
 * A row per day and method, the day's numbers as the report counts them over a window: attempts by
 * outcome, accounts created, links, unlinks, the upstream failure rate (0–1) and the callbacks timed with
 * their median and p95 in ms (a rate or time the day has none of is an empty field).
 */
export function analyticsCsv(days: readonly AnalyticsDay[]): string {
  const text = (v: number | null) => (v === null ? '' : String(v));
  const rows = days.flatMap(({ day, providers }) =>
    providers.map((p) => [
      day,
      p.method,
      ...OUTCOMES.map((o) => String(p.signIns[o])),
      String(p.created),
      String(p.links),
      String(p.unlinks),
      text(p.upstreamFailureRate),
      String(p.upstream.timed),
      text(p.upstream.medianMs),
      text(p.upstream.p95Ms),
    ]),
  );
  return csvText([ANALYTICS_CSV_HEADER, ...rows]);
}

/** One indexed read of the shop's day summaries, and the report over the window ending today at the shop. */
async function windowOf(store: Store, partner: Partner, now: EpochMs, days: number) {
  const summaries = await store.find<LoginDay>(LOGIN_DAYS_COLLECTION, 'partner', partner.id);
  const today = localDayOf(now, partner.timeZone);
  const methods = partner.integrations.map((i) => i.provider);
  return { report: analyticsReport(partner.id, partner.timeZone, summaries, today, days, methods), summaries, today };
}
