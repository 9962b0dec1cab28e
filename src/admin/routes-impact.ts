// `GET /partners/:id/integrations/:provider/impact`: the impact report of ending a provider at a shop
// (src/impact/impact-report.ts), at the scheduled cutoff or one being considered (`cutoff`, `graceEnds`,
// read in the partner's zone), as JSON (counts only) or as CSV (`format=csv` or `Accept: text/csv`: one row
// per affected shopper, named by the shop's own pairwise `sub`). A manager reaches only their partners.

import type { Response, Router } from 'express';
import type { ProviderDescriptor } from '../../providers/contract.ts';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { IMPACT_CSV_HEADER, impactCsvRows } from '../impact/impact-csv.ts';
import type { ImpactQuery, ImpactReport } from '../impact/impact-report.ts';
import { affectedShopperPages, buildImpactReport, impactQueryFor } from '../impact/impact-service.ts';
import { streamCsv } from '../http/csv-stream.ts';
import { methodLabels } from '../i18n/method-label.ts';
import { requestIdOf } from '../log.ts';
import { pairwiseSubject } from '../oidc/pairwise.ts';
import { unknownProvider } from '../partners/integration-service.ts';
import type { Partner } from '../partners/partner.ts';
import { requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import { queryDays, queryInstant, queryParams } from './routes-integrations.ts';
import { parseBody } from './zod-problems.ts';
import { instant } from './views.ts';
import { DateTime } from 'luxon';

export const FORMAT_RULE = 'must be "json" or "csv"';

/** The query parameters of the impact report. */
export function impactQuery(timeZone: string) {
  return queryParams({
    cutoff: queryInstant(timeZone).optional(),
    graceEnds: queryInstant(timeZone).optional(),
    activeDays: queryDays().optional(),
    format: z.enum(['json', 'csv'], { error: FORMAT_RULE }).optional(),
  });
}

export function impactRoutes(router: Router, ctx: AdminContext): void {
  router.get('/partners/:id/integrations/:provider/impact', requirePartnerAccess, async (req, res) => {
    const provider = req.params.provider as string;
    const partner = await loadPartner(ctx, req.params.id as string);
    if (!ctx.knownProviders.has(provider)) throw new ValidationError([unknownProvider(provider, ctx.knownProviders)]);
    const query = parseBody(impactQuery(partner.timeZone), req.query);
    const csv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    const options = {
      ...(query.cutoff !== undefined ? { cutoffAt: query.cutoff } : {}),
      ...(query.graceEnds !== undefined ? { graceEndsAt: query.graceEnds } : {}),
      ...(query.activeDays !== undefined ? { activeDays: query.activeDays } : {}),
    };
    if (csv) return sendImpactCsv(ctx, res, impactQueryFor(partner, provider, ctx.configured, ctx.clock.now(), options));
    const report = await buildImpactReport(ctx.store, partner, provider, ctx.configured, ctx.clock.now(), options);
    res.json(impactView(partner, report, ctx.descriptors));
  });
}

/**
 * The affected shoppers as a CSV download, each by the shop's pairwise `sub` (API and admin pages),
 * streamed a page of summaries at a time (src/http/csv-stream.ts: a store failure after the first page
 * cuts the response off, so it never looks complete).
 */
export async function sendImpactCsv(ctx: AdminContext, res: Response, query: ImpactQuery): Promise<void> {
  const salt = await ctx.pairwiseSalt();
  const shop = query.partner.id;
  const rows = async function* () {
    for await (const page of affectedShopperPages(ctx.store, query)) yield impactCsvRows(page, (account) => pairwiseSubject(salt, shop, account));
  };
  // Named by what it answers: the shop, the provider and the cutoff's date in the shop's zone.
  const cutoffDay = DateTime.fromMillis(query.cutoffAt, { zone: query.partner.timeZone }).toFormat('yyyy-LL-dd');
  await streamCsv(res, { filename: `impact-${shop}-${query.provider}-cutoff-${cutoffDay}.csv`, header: IMPACT_CSV_HEADER, rows: rows() }, (err) =>
    ctx.log.error({ reqId: requestIdOf(res), err: { message: (err as Error)?.message } }, 'impact CSV cut off: the store failed mid-download'),
  );
}

/**
 * The report as the API answers it: counts only (the shopper list is the CSV), instants in the partner's
 * zone, and `labels`: what the pages call the provider and each way at the cutoff, in every language.
 */
export function impactView(partner: Partner, report: ImpactReport, descriptors: ReadonlyMap<string, ProviderDescriptor>): Record<string, unknown> {
  const { list: _list, now, cutoffAt, graceEndsAt, noticeAt, migration, ...rest } = report;
  const zone = partner.timeZone;
  return {
    ...rest,
    ...instant('now', now, zone),
    ...instant('cutoffAt', cutoffAt, zone),
    ...instant('graceEndsAt', graceEndsAt, zone),
    ...instant('noticeAt', noticeAt, zone),
    migration: { ...migration, ...instant('since', migration.since, zone) },
    labels: methodLabels(descriptors, [report.provider, ...report.waysAtCutoff]),
  };
}
