// `denglu analytics <partner> [--days 30]`: a shop's numbers per provider over the last days (admin API
// `GET /partners/:id/analytics`), printed as a table for a person, as the API's JSON (--json), or as the
// CSV of each day's numbers per method (--csv).

import { type AnalyticsReport, percentText } from '../analytics/analytics-report.ts';
import type { Command } from './commands.ts';
import { table } from './format.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const orDash = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`);

export const analytics: Command = {
  name: 'analytics',
  usage: 'denglu analytics <partner> [--days <n>] [--csv]',
  summary: "a shop's sign-ins per provider by outcome, new accounts, links, unlinks, provider failures and time",
  help: [
    "  --days <n>               the last n days in the shop's time zone, today included (1–400, default 30)",
    '  --csv                    per day and method: attempts by outcome, new accounts, links, unlinks, provider failure rate and time',
  ],
  options: { days: { type: 'string' }, csv: { type: 'boolean' } },
  args: ['partner'],
  async run({ api, json, args, values, print }) {
    const query = new URLSearchParams();
    if (str(values.days) !== undefined) query.set('days', str(values.days)!);
    const path = `/partners/${encodeURIComponent(args[0]!)}/analytics`;
    if (values.csv) {
      query.set('format', 'csv');
      return print((await api.request<string>('GET', `${path}?${query}`, undefined, 'text')).trimEnd());
    }
    const a = await api.request<AnalyticsReport & { labels?: Record<string, { en?: string }> }>('GET', `${path}${query.size ? `?${query}` : ''}`);
    if (json) return print(JSON.stringify(a, null, 2));
    print(`Sign-ins at ${a.partner}, last ${a.days} days (${a.from} – ${a.to}, days in ${a.timeZone})\n`);
    print(
      table(
        ['PROVIDER', 'SUCCESS', 'DENIED', 'UPSTREAM FAILED', 'REFUSED', 'NEW ACCOUNTS', 'LINKED', 'UNLINKED', 'FAILURE RATE', 'MEDIAN', 'P95'],
        a.providers.map((p) => [
          a.labels?.[p.method]?.en ?? p.method, // an older gateway answers without labels
          String(p.signIns.success),
          String(p.signIns.denied),
          String(p.signIns.upstream_failure),
          String(p.signIns.refused),
          String(p.created),
          String(p.links),
          String(p.unlinks),
          percentText(p.upstreamFailureRate),
          orDash(p.upstream.medianMs, ' ms'),
          orDash(p.upstream.p95Ms, ' ms'),
        ]),
      ),
    );
  },
};
