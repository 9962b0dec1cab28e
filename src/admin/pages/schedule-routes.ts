// The schedule form of one provider at a partner (`/admin/partners/:id/integrations/:provider`), also
// used to add a provider. A POST (CSRF-checked) goes through scheduleIntegration, the same rules and
// audit entry as the admin API; refused input re-renders the form with what was typed and each problem
// next to its field (400, nothing changed); a saved schedule returns to the timeline with a confirmation.

import { DateTime } from 'luxon';
import { suggestInstants } from '../../time/instant.ts';
import express, { type Request, type Response, type Router } from 'express';
import { GatewayError, ValidationError } from '../../errors.ts';
import { partnerName, type Partner } from '../../partners/partner.ts';
import { scheduleIntegration } from '../../partners/integration-service.ts';
import { noticeText } from '../../partners/notice-text.ts';
import { DATE_FIELDS, type Problem } from '../../partners/schedule.ts';
import { localizedProblems, problemText } from '../problem-text.ts';
import type { Locale } from '../../../providers/contract.ts';
import { buildImpactReport } from '../../impact/impact-service.ts';
import { impactLocals, impactOptions } from './impact-routes.ts';
import { instantWithOffset } from './dates.ts';
import { adminTranslator, isAdminMessage } from './messages.ts';
import { pagePartner, principalOfPage, providerLabel, renderPage, uiLocale, type PagesContext } from './page.ts';
import { formFromBody, formFromIntegration, scheduleInput, type ScheduleForm } from './schedule-form.ts';

export function scheduleRoutes(router: Router, ctx: PagesContext): void {
  /** The impact of the cutoff and grace end typed in the form (a note instead when there is none to show). */
  const impactPreview = async (locale: Locale, partner: Partner, provider: string, values: ScheduleForm): Promise<Record<string, unknown>> => {
    const m = adminTranslator(locale);
    const typed = (field: 'cutoffAt' | 'graceEndsAt') => (values.clear[field] ? '' : values.dates[field]);
    if (!partner.integrations.some((i) => i.provider === provider) || !typed('cutoffAt').trim()) return { impactNote: m('impact.noCutoff') };
    const parsed = impactOptions({ cutoff: typed('cutoffAt'), graceEnds: typed('graceEndsAt') }, partner.timeZone);
    if (!parsed.ok) return { impactNote: parsed.problems.map((p) => problemText(p, locale)).join(' ') };
    const options = { ...parsed.options, ...(parsed.options.graceEndsAt === undefined ? { graceEndsAt: null } : {}) };
    try {
      const report = await buildImpactReport(ctx.store, partner, provider, ctx.configured, ctx.clock.now(), options);
      return { impact: impactLocals(report, partner, (id) => providerLabel(ctx, id, locale)) };
    } catch (err) {
      if (err instanceof ValidationError) return { impactNote: err.problems.map((p) => problemText(p, locale)).join(' ') };
      throw err;
    }
  };
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

  const target = async (req: Request, res: Response): Promise<{ partner: Partner; provider: string }> => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const provider = String(req.params.provider);
    if (!ctx.knownProviders.has(provider)) throw new GatewayError('ERR_NOT_FOUND', `"${provider}" is not a provider Denglu knows`, { status: 404 });
    return { partner, provider };
  };

  const show = async (
    req: Request,
    res: Response,
    partner: Partner,
    provider: string,
    values: ScheduleForm,
    problems: Problem[],
    status = 200,
    impact: Record<string, unknown> = {},
  ) => {
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const label = (field: string) => {
      const key = `field.${field}`;
      return isAdminMessage(key) ? m(key) : field;
    };
    const current = partner.integrations.find((i) => i.provider === provider);
    const adding = current === undefined;
    const descriptor = ctx.descriptors.get(provider);
    const defaultNotice = (l: 'zh-CN' | 'en') =>
      current && descriptor ? (noticeText(partner, { ...current, notice: undefined }, descriptor.label, l, ctx.clock.now()) ?? '') : '';
    const shop = partnerName(partner, locale);
    const providerName = providerLabel(ctx, provider, locale);
    // Each problem in the page language (the rules word them in English for the API).
    const worded = localizedProblems(problems, locale, { provider: (id) => providerLabel(ctx, id, locale) });
    // Typed dates as examples: today's midnight in the partner's zone, each form accepted as written.
    const today = DateTime.fromMillis(ctx.clock.now(), { zone: partner.timeZone }).toFormat("yyyy-MM-dd'T'00:00");
    const examples = suggestInstants(today, partner.timeZone);
    const placeholder = m('schedule.example', { example: suggestInstants(today, partner.timeZone, true)[0] ?? examples[0] ?? '' });
    await renderPage(
      ctx,
      req,
      res,
      'schedule',
      {
        title: m(adding ? 'schedule.titleAdd' : 'schedule.titleEdit', { shop, provider: providerName }),
        partner: { id: partner.id, name: shop, zone: partner.timeZone },
        dateExamples: examples.join(m('schedule.or')),
        provider: { id: provider, label: providerName },
        now: instantWithOffset(ctx.clock.now(), partner.timeZone),
        action: `/admin/partners/${partner.id}/integrations/${provider}`,
        back: `/admin/partners/${partner.id}`,
        form: values,
        defaultNotice: { 'zh-CN': defaultNotice('zh-CN'), en: defaultNotice('en') },
        // Each date with its example (a placeholder that says "e.g.", never one that passes for a value) and what leaving it empty means.
        dateFields: DATE_FIELDS.map((name) => ({
          name,
          label: label(name),
          placeholder,
          empty: m(`schedule.empty.${name}`),
          problems: worded.filter((p) => p.field === name).map((p) => p.message),
        })),
        problemsOf: (field: string) => worded.filter((p) => p.field === field).map((p) => p.message),
        problems: worded.map((p) => ({ field: p.field, label: label(p.field), message: p.message })),
        impact: undefined,
        impactNote: undefined,
        ...impact,
      },
      status,
    );
  };

  router.get('/partners/:id/integrations/:provider', async (req, res) => {
    const { partner, provider } = await target(req, res);
    const current = partner.integrations.find((i) => i.provider === provider);
    await show(req, res, partner, provider, formFromIntegration(current, partner.timeZone), []);
  });

  router.post('/partners/:id/integrations/:provider', form, ctx.csrf.protect, async (req, res) => {
    const { partner, provider } = await target(req, res);
    const values = formFromBody(req.body as Record<string, unknown>);
    const current = partner.integrations.find((i) => i.provider === provider);
    // "Preview the impact": the dates as typed, nothing saved.
    if ((req.body as Record<string, unknown>).intent === 'impact') {
      return show(req, res, partner, provider, values, [], 200, await impactPreview(uiLocale(req), partner, provider, values));
    }
    try {
      const change = await scheduleIntegration(ctx, principalOfPage(res).actor, partner.id, provider, scheduleInput(values, current));
      res.redirect(303, `/admin/partners/${partner.id}?saved=${encodeURIComponent(provider)}${change.immediate ? '&immediate=1' : ''}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await show(req, res, partner, provider, values, err.problems, 400);
    }
  });
}
