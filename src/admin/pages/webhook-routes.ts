// A partner's webhooks on the admin pages (`/admin/partners/:id/webhooks`): its endpoints with the events
// each receives, a form to add one (the signing secret shown on the answer page once), a button to remove
// one, and the delivery log with each attempt's response code. Saved through the same functions, rules
// and audit entries as the admin API's webhook routes; refused input re-renders the form (HTTP 400), and
// so does a partner already at its endpoint limit (HTTP 409), each problem in the page language.

import express, { type Request, type Response, type Router } from 'express';
import { GatewayError, ValidationError, type FieldProblem } from '../../errors.ts';
import type { Partner } from '../../partners/partner.ts';
import { isoInZone } from '../../time/instant.ts';
import { listDeliveries } from '../../webhooks/deliveries.ts';
import { type CreatedEndpoint, createEndpoint, listEndpoints, removeEndpoint } from '../../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/events.ts';
import { problemText } from '../problem-text.ts';
import { webhookBody } from '../routes-webhooks.ts';
import { parseBody } from '../zod-problems.ts';
import { pagePartner, principalOfPage, renderPage, uiLocale, type PagesContext } from './page.ts';
import { adminTranslator } from './messages.ts';

const LOG_SIZE = 50;

export function webhookPageRoutes(router: Router, ctx: PagesContext): void {
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

  const show = async (
    req: Request,
    res: Response,
    partner: Partner,
    extra: { values?: { url: string; events: string[]; description: string }; problems?: FieldProblem[]; created?: CreatedEndpoint },
    status = 200,
  ) => {
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const at = (ms: number | undefined) => (ms === undefined ? '' : isoInZone(ms, partner.timeZone).slice(0, 19).replace('T', ' '));
    const endpoints = await listEndpoints(ctx.store, partner.id);
    const { deliveries } = await listDeliveries(ctx.store, partner.id, { limit: LOG_SIZE });
    await renderPage(
      ctx,
      req,
      res,
      'webhooks',
      {
        title: m('webhooks.title', { shop: partner.name[locale] }),
        partner: { id: partner.id, zone: partner.timeZone },
        eventTypes: WEBHOOK_EVENT_TYPES,
        endpoints: endpoints.map((e) => ({ id: e.id, url: e.url, events: e.events, description: e.description ?? '', createdAt: at(e.createdAt) })),
        deliveries: deliveries.map((d) => ({
          id: d.id,
          webhookId: d.webhookId,
          type: d.type,
          url: d.url,
          state: d.state,
          createdAt: at(d.createdAt),
          nextAttemptAt: at(d.nextAttemptAt),
          attempts: d.attempts.map((a) => ({ at: at(a.at), status: a.status ?? null, error: a.error ?? '' })),
        })),
        values: extra.values ?? { url: '', events: [], description: '' },
        problems: (extra.problems ?? []).map((p) => ({ field: p.field, message: problemText(p, locale) })),
        created: extra.created ? { id: extra.created.id, secret: extra.created.secret } : undefined,
      },
      status,
    );
  };

  router.get('/partners/:id/webhooks', async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    await show(req, res, partner, {});
  });

  router.post('/partners/:id/webhooks', form, ctx.csrf.protect, async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const f = req.body as Record<string, string | string[] | undefined>;
    const events = ([] as string[]).concat(f.events ?? []);
    const description = String(f.description ?? '').trim();
    const values = { url: String(f.url ?? '').trim(), events, description };
    try {
      const body = parseBody(webhookBody(ctx.webhookPolicy), { url: values.url, events, ...(description ? { description } : {}) });
      const created = await createEndpoint(ctx, principalOfPage(res).actor, partner.id, body);
      // The secret is on this answer only (not a redirect): reloading the list never shows it again.
      await show(req, res, partner, { created }, 201);
    } catch (err) {
      if (err instanceof ValidationError) return show(req, res, partner, { values, problems: err.problems }, 400);
      if (err instanceof GatewayError && err.rule === 'webhook.limit') {
        const problem = { field: 'url', message: err.message, rule: err.rule, ...(err.params ? { params: err.params } : {}) };
        return show(req, res, partner, { values, problems: [problem] }, 409);
      }
      throw err;
    }
  });

  router.post('/partners/:id/webhooks/:endpoint/delete', form, ctx.csrf.protect, async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    await removeEndpoint(ctx, principalOfPage(res).actor, partner.id, String(req.params.endpoint));
    res.redirect(303, `/admin/partners/${partner.id}/webhooks`);
  });
}
