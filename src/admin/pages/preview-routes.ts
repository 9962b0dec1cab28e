// The login page preview (`/admin/partners/:id/preview?at=…&locale=…`): a date form and, below it, the
// partner's login page as shoppers see it at that instant, drawn from loginPageModel (the model the
// chooser renders) with the shoppers' own words: buttons with their notice notes, "used X before?"
// links, and the providers shoppers do not see with the reason. A date without offset or zone is refused.

import type { Router } from 'express';
import type { Locale } from '../../../providers/contract.ts';
import { translator } from '../../i18n/messages.ts';
import { loginPageModel } from '../../partners/login-page-model.ts';
import { partnerName } from '../../partners/partner.ts';
import { boundaries } from '../../partners/phase.ts';
import { parseInstant } from '../../time/instant.ts';
import { plusFromQuery } from '../routes-integrations.ts';
import { inputInstant, instantWithOffset, shortInstant } from './dates.ts';
import { adminTranslator, isAdminMessage } from './messages.ts';
import { pagePartner, providerLabel, renderPage, uiLocale, type PagesContext } from './page.ts';

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
    const localeError = wanted !== undefined && wanted !== 'en' && wanted !== 'zh-CN' ? 'must be "zh-CN" or "en"' : undefined;

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
      const problems = [...(!parsed.ok ? [{ field: 'at', message: parsed.message }] : []), ...(localeError ? [{ field: 'locale', message: localeError }] : [])];
      return renderPage(ctx, req, res, 'preview', { ...common, problems, preview: undefined }, 400);
    }

    const model = loginPageModel(partner, parsed.value, locale, ctx.descriptors, ctx.configured);
    const t = translator(locale);
    const next = (n: { phase: string; at: number } | undefined) =>
      n ? m('preview.nextChange', { phase: m(`phase.${n.phase as 'live'}`), date: shortInstant(n.at, zone) }) : undefined;
    const reasonKey = (reason: string) => `preview.reason.${reason}`;
    await renderPage(ctx, req, res, 'preview', {
      ...common,
      problems: [],
      preview: {
        at: instantWithOffset(parsed.value, zone),
        title: t('chooser.title', { shop: model.shop }),
        lead: t('chooser.lead', { shop: model.shop }),
        none: t('chooser.none', { shop: model.shop }),
        buttons: model.providers
          .filter((p) => p.shown === 'button')
          .map((p) => ({
            id: p.id,
            text: t('chooser.continueWith', { provider: p.label }),
            note: p.note,
            notice: p.notice,
            phase: p.phase,
            next: next(p.next),
          })),
        migrateLinks: model.providers
          .filter((p) => p.shown === 'migrate-link')
          .map((p) => ({ id: p.id, text: t('chooser.migrate', { provider: p.label }), notice: p.notice, next: next(p.next) })),
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
