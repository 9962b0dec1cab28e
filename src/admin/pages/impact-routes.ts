// The impact page of a partner's integration (`/admin/partners/:id/integrations/:provider/impact`): a
// form for the cutoff (and grace end) to consider, read in the partner's zone; the groups of affected
// shoppers (counts and a stacked bar), the provider's sign-ins of the last 30 days by group, migration
// since notice drawn as a line, the projection; and the CSV of affected shoppers by the shop's pairwise
// `sub` (`…/impact.csv`). Managers see only their partners (pagePartner).

import type { Request, Response, Router } from 'express';
import { type FieldProblem, GatewayError, ValidationError } from '../../errors.ts';
import type { ImpactReport } from '../../impact/impact-report.ts';
import { buildImpactReport, type ImpactOptions, impactQueryFor } from '../../impact/impact-service.ts';
import { partnerName, type Partner } from '../../partners/partner.ts';
import { parseInstant } from '../../time/instant.ts';
import { problemText } from '../problem-text.ts';
import { plusFromQuery } from '../routes-integrations.ts';
import { sendImpactCsv } from '../routes-impact.ts';
import { inputInstant, instantWithOffset, shortInstant } from './dates.ts';
import { groupBar, GROUP_COLOURS, progressLine } from './impact-chart.ts';
import { adminTranslator } from './messages.ts';
import { pagePartner, providerLabel, renderPage, uiLocale, type PagesContext } from './page.ts';

type Typed = { cutoff?: string; graceEnds?: string };

/** The typed instants as report options, or the problems with them (field names of the API). */
export function impactOptions(typed: Typed, zone: string): { ok: true; options: ImpactOptions } | { ok: false; problems: FieldProblem[] } {
  const options: ImpactOptions = {};
  const problems: FieldProblem[] = [];
  for (const [field, key] of [
    ['cutoff', 'cutoffAt'],
    ['graceEnds', 'graceEndsAt'],
  ] as const) {
    const raw = typed[field]?.trim();
    if (!raw) continue;
    const parsed = parseInstant(raw, zone);
    if (parsed.ok) options[key] = parsed.value;
    else problems.push({ field, message: parsed.message, rule: parsed.rule, ...(parsed.params ? { params: parsed.params } : {}) });
  }
  return problems.length ? { ok: false, problems } : { ok: true, options };
}

/** What the impact summary of the page and of the schedule form shows; `label` names a method in the page's language. */
export function impactLocals(report: ImpactReport, partner: Partner, label: (method: string) => string) {
  const zone = partner.timeZone;
  return {
    report,
    ways: report.waysAtCutoff.map(label),
    cutoff: shortInstant(report.cutoffAt, zone),
    graceEnds: report.graceEndsAt !== undefined ? shortInstant(report.graceEndsAt, zone) : undefined,
    since: shortInstant(report.migration.since, zone),
    bar: groupBar(report),
    line: progressLine(report),
    colours: GROUP_COLOURS,
  };
}

export function impactRoutes(router: Router, ctx: PagesContext): void {
  const target = async (req: Request, res: Response) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const provider = String(req.params.provider);
    if (!partner.integrations.some((i) => i.provider === provider)) {
      throw new GatewayError('ERR_NOT_FOUND', `partner "${partner.id}" has no integration with "${provider}"`, { status: 404 });
    }
    const typed: Typed = {};
    for (const field of ['cutoff', 'graceEnds'] as const) {
      const v = req.query[field];
      if (typeof v === 'string' && v.trim() !== '') typed[field] = plusFromQuery(v.slice(0, 200));
    }
    return { partner, provider, typed };
  };

  router.get('/partners/:id/integrations/:provider/impact', async (req, res) => {
    const { partner, provider, typed } = await target(req, res);
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const zone = partner.timeZone;
    const integration = partner.integrations.find((i) => i.provider === provider)!;
    const common = {
      partner: { id: partner.id, name: partnerName(partner, locale), zone },
      provider: { id: provider, label: providerLabel(ctx, provider, locale) },
      now: instantWithOffset(ctx.clock.now(), zone),
      typed: {
        cutoff: typed.cutoff ?? (integration.cutoffAt !== undefined ? inputInstant(integration.cutoffAt, zone) : ''),
        graceEnds: typed.graceEnds ?? '',
      },
      csvHref: `/admin/partners/${partner.id}/integrations/${provider}/impact.csv${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`,
    };
    const parsed = impactOptions(typed, zone);
    const names = { provider: (id: string) => providerLabel(ctx, id, locale) };
    let problems: { field: string; message: string }[] = parsed.ok
      ? []
      : parsed.problems.map((p) => ({ field: p.field, message: problemText(p, locale, names) }));
    let impact: ReturnType<typeof impactLocals> | undefined;
    if (parsed.ok) {
      try {
        impact = impactLocals(await buildImpactReport(ctx.store, partner, provider, ctx.configured, ctx.clock.now(), parsed.options), partner, names.provider);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems = err.problems.map((p) => ({ field: p.field, message: problemText(p, locale, names) }));
      }
    }
    await renderPage(
      ctx,
      req,
      res,
      'impact',
      { ...common, impact, problems, title: m('impact.title', { provider: common.provider.label, shop: common.partner.name }) },
      problems.length ? 400 : 200,
    );
  });

  router.get('/partners/:id/integrations/:provider/impact.csv', async (req, res) => {
    const { partner, provider, typed } = await target(req, res);
    const parsed = impactOptions(typed, partner.timeZone);
    if (!parsed.ok) throw new ValidationError(parsed.problems);
    await sendImpactCsv(ctx, res, impactQueryFor(partner, provider, ctx.configured, ctx.clock.now(), parsed.options));
  });
}
