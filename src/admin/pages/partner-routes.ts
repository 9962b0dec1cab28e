// The partners list (`/admin`: each shop with its providers and their phase now) and a partner's
// timeline (`/admin/partners/:id`: the phases of each provider drawn on a time axis with "now" marked,
// and a table of every integration's dates in the partner's zone, its policy and an edit link; below, the
// shop's analytics per provider over the chosen days, analytics-view.ts) and that analytics per day as
// CSV (`/admin/partners/:id/analytics.csv?days=30`).

import type { Router } from 'express';
import type { Locale } from '../../../providers/contract.ts';
import type { Integration, Partner } from '../../partners/partner.ts';
import { partnerName } from '../../partners/partner.ts';
import { phaseAt } from '../../partners/phase.ts';
import { DATE_FIELDS } from '../../partners/schedule.ts';
import { DEFAULT_WINDOW_DAYS } from '../../analytics/analytics-report.ts';
import { ANALYTICS_QUERY, sendAnalyticsCsv } from '../routes-analytics.ts';
import { parseBody } from '../zod-problems.ts';
import { analyticsSection } from './analytics-view.ts';
import { instantWithOffset, shortInstant } from './dates.ts';
import { adminTranslator } from './messages.ts';
import { pagePartner, providerLabel, renderPage, uiLocale, visiblePartners, type PagesContext } from './page.ts';
import { buildTimeline, PHASE_COLOURS, PHASES } from './timeline.ts';

export function partnerRoutes(router: Router, ctx: PagesContext): void {
  router.get('/', async (req, res) => {
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const now = ctx.clock.now();
    const partners = (await visiblePartners(ctx, res)).map((p) => ({
      id: p.id,
      name: partnerName(p, locale),
      zone: p.timeZone,
      providers: p.integrations.map((i) => {
        const at = phaseAt(i, now);
        return {
          id: i.provider,
          label: providerLabel(ctx, i.provider, locale),
          phase: at.phase,
          next: at.next ? m('phase.next', { phase: m(`phase.${at.next.phase}`), date: shortInstant(at.next.at, p.timeZone) }) : undefined,
        };
      }),
    }));
    await renderPage(ctx, req, res, 'partners', { partners, now: instantWithOffset(now, 'Asia/Shanghai') });
  });

  router.get('/partners/:id', async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const now = ctx.clock.now();
    const zone = partner.timeZone;
    const timeline = buildTimeline(
      partner.integrations.map((integration) => ({ integration, label: providerLabel(ctx, integration.provider, locale) })),
      now,
      zone,
      Object.fromEntries(PHASES.map((phase) => [phase, m(`phase.${phase}`)])),
    );
    const saved = typeof req.query.saved === 'string' && partner.integrations.some((i) => i.provider === req.query.saved) ? req.query.saved : undefined;
    const savedText = saved
      ? m(req.query.immediate ? 'timeline.savedImmediate' : 'timeline.saved', { provider: providerLabel(ctx, saved, locale) })
      : undefined;
    const analytics = await analyticsSection(ctx, partner, req.query.days, locale);
    await renderPage(
      ctx,
      req,
      res,
      'partner',
      {
        partner: { id: partner.id, name: partnerName(partner, locale), zone },
        now: instantWithOffset(now, zone),
        timeline,
        svgTitle: m('timeline.svgTitle', {
          shop: partnerName(partner, locale),
          from: shortInstant(timeline.start, zone),
          to: shortInstant(timeline.end, zone),
          zone,
        }),
        phases: PHASES.map((phase) => ({ phase, ...PHASE_COLOURS[phase] })),
        colours: PHASE_COLOURS,
        integrations: partner.integrations.map((i) => integrationRow(ctx, partner, i, locale, now)),
        addable: [...ctx.knownProviders]
          .filter((p) => !partner.integrations.some((i) => i.provider === p))
          .map((p) => ({ id: p, label: providerLabel(ctx, p, locale), href: `/admin/partners/${partner.id}/integrations/${p}` })),
        savedText,
        analytics,
      },
      analytics.problem ? 400 : 200,
    );
  });

  router.get('/partners/:id/analytics.csv', async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const query = parseBody(ANALYTICS_QUERY, req.query);
    await sendAnalyticsCsv(res, ctx.store, partner, ctx.clock.now(), query.days ?? DEFAULT_WINDOW_DAYS);
  });
}

function integrationRow(ctx: PagesContext, partner: Partner, i: Integration, locale: Locale, now: number) {
  const dates: Record<string, string | undefined> = {};
  for (const field of DATE_FIELDS) dates[field] = i[field] === undefined ? undefined : shortInstant(i[field]!, partner.timeZone);
  return {
    id: i.provider,
    label: providerLabel(ctx, i.provider, locale),
    phase: phaseAt(i, now).phase,
    configured: ctx.configured.has(i.provider),
    dates,
    atCutoff: i.atCutoff,
    newAccountsDuringNotice: i.newAccountsDuringNotice,
    href: `/admin/partners/${partner.id}/integrations/${i.provider}`,
  };
}
