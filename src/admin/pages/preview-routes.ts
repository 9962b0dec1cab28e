// The login page preview (`/admin/partners/:id/preview?at=…&locale=…`): a date form and, below it, the
// partner's login page as shoppers see it at that instant — views/chooser.ejs rendered with the locals
// the shoppers' chooser builds (chooserView), shown in an inert sandboxed frame at phone or desktop
// width — then each provider's phase, full notice and next change, and the providers shoppers do not
// see with the reason. A date without offset or zone is refused.

import type { Router } from 'express';
import type { Locale } from '../../../providers/contract.ts';
import { chooserView } from '../../partners/chooser-view.ts';
import { loginPageModel } from '../../partners/login-page-model.ts';
import { partnerName } from '../../partners/partner.ts';
import { boundaries } from '../../partners/phase.ts';
import { parseInstant } from '../../time/instant.ts';
import { plusFromQuery } from '../routes-integrations.ts';
import { problemText } from '../problem-text.ts';
import { inputInstant, instantWithOffset, shortInstant } from './dates.ts';
import { adminTranslator, isAdminMessage } from './messages.ts';
import { pagePartner, providerLabel, renderPage, uiLocale, type PagesContext } from './page.ts';
import { shopHeader } from '../../http/shop-header.ts';

/** The interaction id the preview's links and forms name: none exists, and the frame is inert anyway. */
const PREVIEW_UID = 'preview';

export function previewRoutes(router: Router, ctx: PagesContext): void {
  router.get('/partners/:id/preview', async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const m = adminTranslator(uiLocale(req));
    const zone = partner.timeZone;
    const now = ctx.clock.now();
    const rawAt = typeof req.query.at === 'string' && req.query.at.trim() !== '' ? plusFromQuery(req.query.at.slice(0, 200)) : undefined;
    const parsed = rawAt === undefined ? ({ ok: true, value: now } as const) : parseInstant(rawAt, zone);
    const wanted = req.query.locale;
    const locale: Locale = wanted === 'en' || wanted === 'zh-CN' ? wanted : (partner.locales[0] ?? 'zh-CN');
    const localeError = wanted !== undefined && wanted !== 'en' && wanted !== 'zh-CN' ? m('preview.localeProblem') : undefined;

    const jumps = partner.integrations
      .flatMap((i) => boundaries(i).map((b) => ({ provider: providerLabel(ctx, i.provider, uiLocale(req)), phase: m(`phase.${b.phase}`), at: b.at })))
      .sort((a, b) => a.at - b.at)
      .map((j) => ({ ...j, text: shortInstant(j.at, zone), href: `?at=${encodeURIComponent(inputInstant(j.at, zone))}&locale=${locale}` }));

    const common = {
      partner: { id: partner.id, name: partnerName(partner, uiLocale(req)), zone },
      at: rawAt ?? inputInstant(now, zone),
      locale,
      locales: ['zh-CN', 'en'],
      jumps,
      now: instantWithOffset(now, zone),
    };
    if (!parsed.ok || localeError) {
      const problems = [
        ...(!parsed.ok ? [{ field: 'at', label: m('preview.at'), message: problemText({ field: 'at', ...parsed }, uiLocale(req)) }] : []),
        ...(localeError ? [{ field: 'locale', label: m('preview.locale'), message: localeError }] : []),
      ];
      return renderPage(ctx, req, res, 'preview', { ...common, problems, preview: undefined }, 400);
    }

    const model = loginPageModel(partner, parsed.value, locale, ctx.descriptors, ctx.configured);
    // The shoppers' page itself: views/chooser.ejs with the locals the chooser builds, at that instant.
    const sources = { descriptors: ctx.descriptors, configured: ctx.configured, upstream: (id: string) => ctx.upstream.has(id) };
    const page = await ctx.renderer.render(
      'chooser',
      { locale, shop: shopHeader(partner, locale) },
      chooserView(sources, partner, parsed.value, locale, { uid: PREVIEW_UID, csrf: '' }),
    );
    const next = (n: { phase: string; at: number } | undefined) =>
      n ? m('preview.nextChange', { phase: m(`phase.${n.phase as 'live'}`), date: shortInstant(n.at, zone) }) : undefined;
    const reasonKey = (reason: string) => `preview.reason.${reason}`;
    await renderPage(ctx, req, res, 'preview', {
      ...common,
      problems: [],
      preview: {
        at: instantWithOffset(parsed.value, zone),
        page,
        shown: model.providers
          .filter((p) => p.shown !== 'hidden')
          .map((p) => ({
            id: p.id,
            label: p.label,
            phase: p.phase,
            how: m(p.shown === 'button' ? 'preview.shown.button' : 'preview.shown.migrate'),
            notice: p.notice,
            next: next(p.next),
          })),
        hidden: model.providers
          .filter((p) => p.shown === 'hidden')
          .map((p) => {
            const key = reasonKey(p.reason ?? p.phase);
            return { id: p.id, label: p.label, reason: isAdminMessage(key) ? m(key) : (p.reason ?? p.phase), next: next(p.next) };
          }),
      },
    });
  });
}
