// Builds a shop's per-provider analytics from the store: one indexed read of the shop's day summaries
// (`login_days` by partner: at most one document per day of the retention), handed to the pure report
// (analytics-report.ts), today being the date now in the shop's time zone. The shop's integrations are listed even on days without sign-ins. Also the
// report as CSV: one row per day and method, for a spreadsheet.

import type { EpochMs } from '../clock.ts';
import { localDayOf } from '../events/login-event.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay } from '../events/login-days.ts';
import { csvText } from '../http/csv.ts';
import type { Partner } from '../partners/partner.ts';
import type { Store } from '../store/store.ts';
import { type AnalyticsReport, analyticsReport, OUTCOMES } from './analytics-report.ts';

export async function buildAnalytics(store: Store, partner: Partner, now: EpochMs, days: number): Promise<AnalyticsReport> {
  const summaries = await store.find<LoginDay>(LOGIN_DAYS_COLLECTION, 'partner', partner.id);
  return analyticsReport(
    partner.id,
    partner.timeZone,
    summaries,
    localDayOf(now, partner.timeZone),
    days,
    partner.integrations.map((i) => i.provider),
  );
}

/** `day,method,success,denied,upstream_failure,refused`: the attempts of each day of the window by method. */
export function analyticsCsv(report: AnalyticsReport): string {
  const rows = report.perDay.flatMap(({ day, methods }) =>
    report.providers.map((p) => [day, p.method, ...OUTCOMES.map((o) => String(methods[p.method]?.[o] ?? 0))]),
  );
  return csvText([['day', 'method', ...OUTCOMES], ...rows]);
}
