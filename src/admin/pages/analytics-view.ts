// The analytics section of a partner's page (`/admin/partners/:id?days=30`): the window chosen from
// 7/30/90 days (any 1–400 typed in the address works too; anything else is a problem shown in the
// section, with a 400), a table per provider (attempts by outcome, new accounts, links, unlinks, upstream
// failure rate, median and p95 upstream time) and the successful sign-ins per day by provider as lines.

import { z } from 'zod';
import type { Locale } from '../../../providers/contract.ts';
import { type AnalyticsReport, DEFAULT_WINDOW_DAYS, percentText, WINDOW_DAYS } from '../../analytics/analytics-report.ts';
import { buildAnalytics } from '../../analytics/analytics-service.ts';
import type { Partner } from '../../partners/partner.ts';
import { problemText } from '../problem-text.ts';
import { queryDays } from '../routes-integrations.ts';
import { problemsOf } from '../zod-problems.ts';
import { lineColours } from './chart-colours.ts';
import { lineChart } from './line-chart.ts';
import { adminTranslator } from './messages.ts';
import { providerLabel, type PagesContext } from './page.ts';

const DAYS_QUERY = z.object({ days: queryDays().optional() });

export interface AnalyticsSection {
  days: number;
  windows: { days: number; href: string; current: boolean }[];
  csvHref: string;
  problem?: string;
  report?: AnalyticsReport;
  rows: Record<string, unknown>[];
  chart?: ReturnType<typeof lineChart>;
  chartTitle?: string;
}

export async function analyticsSection(ctx: PagesContext, partner: Partner, rawDays: unknown, locale: Locale): Promise<AnalyticsSection> {
  const m = adminTranslator(locale);
  const parsed = DAYS_QUERY.safeParse({ ...(rawDays !== undefined ? { days: rawDays } : {}) });
  const days = parsed.success ? (parsed.data.days ?? DEFAULT_WINDOW_DAYS) : DEFAULT_WINDOW_DAYS;
  const base = `/admin/partners/${partner.id}`;
  const section = {
    days,
    windows: WINDOW_DAYS.map((d) => ({ days: d, href: `${base}?days=${d}#analytics`, current: parsed.success && d === days })),
    csvHref: `${base}/analytics.csv?days=${days}`,
    rows: [],
  };
  if (!parsed.success) return { ...section, problem: problemText(problemsOf(parsed.error)[0]!, locale) };
  const report = await buildAnalytics(ctx.store, partner, ctx.clock.now(), days);
  const colours = lineColours(report.providers.map((p) => ctx.descriptors.get(p.method)?.colors.background));
  const series = report.providers.map((p, i) => ({
    key: p.method,
    colour: colours[i]!,
    values: report.perDay.map((d) => d.methods[p.method]?.success ?? 0),
  }));
  const ms = (v: number | null) => (v === null ? '—' : m('analytics.ms', { ms: v }));
  return {
    ...section,
    report,
    rows: report.providers.map((p, i) => ({
      ...p,
      label: providerLabel(ctx, p.method, locale),
      colour: series[i]!.colour,
      failureRate: percentText(p.upstreamFailureRate),
      median: ms(p.upstream.medianMs),
      p95: ms(p.upstream.p95Ms),
    })),
    chart: lineChart(
      report.perDay.map((d) => d.day),
      series,
    ),
    chartTitle: m('analytics.chartTitle', { from: report.from, to: report.to }),
  };
}
