// `GET /partners/:id/analytics?days=30`: a shop's per-provider analytics over the last `days` days in the shop's time zone
// (src/analytics): sign-in attempts by outcome, accounts created, links and unlinks, the upstream failure
// rate and upstream time; as JSON, or as CSV (`format=csv` or `Accept: text/csv`: one row per day and
// method, that day's numbers). A manager reaches only their partners.

import type { Response, Router } from 'express';
import { z } from 'zod';
import { DEFAULT_WINDOW_DAYS } from '../analytics/analytics-report.ts';
import { buildAnalytics, buildAnalyticsCsv } from '../analytics/analytics-service.ts';
import type { EpochMs } from '../clock.ts';
import type { Partner } from '../partners/partner.ts';
import type { Store } from '../store/store.ts';
import { requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import { queryDays, queryParams } from './routes-integrations.ts';
import { parseBody } from './zod-problems.ts';
import { methodLabels } from '../i18n/method-label.ts';

export const ANALYTICS_QUERY = queryParams({
  days: queryDays().optional(),
  format: z.enum(['json', 'csv'], { error: 'must be "json" or "csv"' }).optional(),
});

export function analyticsRoutes(router: Router, ctx: AdminContext): void {
  router.get('/partners/:id/analytics', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const query = parseBody(ANALYTICS_QUERY, req.query);
    const days = query.days ?? DEFAULT_WINDOW_DAYS;
    const csv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (csv) return sendAnalyticsCsv(res, ctx.store, partner, ctx.clock.now(), days);
    const report = await buildAnalytics(ctx.store, partner, ctx.clock.now(), days);
    // Beside the method ids, what the pages call each method, in every language (the CLI prints them).
    res.json({
      ...report,
      labels: methodLabels(
        ctx.descriptors,
        report.providers.map((p) => p.method),
      ),
    });
  });
}

/** The analytics per day and method as a CSV download (API and admin pages). */
export async function sendAnalyticsCsv(res: Response, store: Store, partner: Partner, now: EpochMs, days: number): Promise<void> {
  const text = await buildAnalyticsCsv(store, partner, now, days);
  res.type('text/csv; charset=utf-8').attachment(`analytics-${partner.id}-${days}d.csv`).send(text);
}
