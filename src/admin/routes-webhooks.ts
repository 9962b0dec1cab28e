// Admin routes for a partner's webhooks (its managers and the operator): list, add (the signing secret
// answered once) and remove endpoints, and read the delivery log with each attempt's response code.
// Endpoint URLs must pass the deployment's address policy (https and public addresses in production).

import type { Router } from 'express';
import { z } from 'zod';
import { principalOf, requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import { jsonObject, text } from './validate.ts';
import { parseBody } from './zod-problems.ts';
import { instant } from './views.ts';
import { once, queryParams } from './routes-integrations.ts';
import { webhookUrlProblem } from '../webhooks/address-policy.ts';
import type { Delivery } from '../webhooks/deliveries.ts';
import { listDeliveries } from '../webhooks/deliveries.ts';
import { createEndpoint, endpointView, listEndpoints, removeEndpoint, type EndpointView } from '../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/events.ts';
import type { WebhookAddressPolicy } from '../webhooks/address-policy.ts';

export const URL_REQUIRED = 'is required and must be a URL';
export const EVENTS_RULE = `must be a non-empty list of: ${WEBHOOK_EVENT_TYPES.join(', ')}`;

/** `POST /partners/:id/webhooks`. */
export function webhookBody(policy: WebhookAddressPolicy) {
  return jsonObject({
    url: z
      .string({ error: URL_REQUIRED })
      .max(2000, 'must be at most 2000 characters')
      .superRefine((raw, ctx) => {
        const problem = webhookUrlProblem(raw, policy);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES, { error: EVENTS_RULE }), { error: EVENTS_RULE }).min(1, EVENTS_RULE),
    description: text(200).optional(),
  });
}

export const DELIVERIES_LIMIT_RULE = 'must be a whole number from 1 to 200';
/** `GET /partners/:id/webhooks/deliveries?endpoint=…&limit=…&before=…`. */
export const DELIVERIES_QUERY = queryParams({
  endpoint: once().optional(),
  limit: once()
    .transform(Number)
    .pipe(z.number({ error: DELIVERIES_LIMIT_RULE }).int(DELIVERIES_LIMIT_RULE).min(1, DELIVERIES_LIMIT_RULE).max(200, DELIVERIES_LIMIT_RULE))
    .optional(),
  before: once()
    .regex(/^\d{15}-[0-9a-f]{12}\.we_[0-9a-z_-]+$/, 'must be the "next" cursor of a previous page')
    .optional(),
});

export function endpointApiView(e: EndpointView & { secret?: string }, zone: string): Record<string, unknown> {
  return { ...endpointView(e), ...instant('createdAt', e.createdAt, zone) };
}

export function deliveryApiView(d: Delivery, zone: string): Record<string, unknown> {
  const last = d.attempts.at(-1);
  return {
    id: d.id,
    webhookId: d.webhookId,
    endpoint: d.endpoint,
    url: d.url,
    type: d.type,
    state: d.state,
    ...instant('createdAt', d.createdAt, zone),
    ...instant('nextAttemptAt', d.nextAttemptAt, zone),
    lastStatus: last?.status ?? null,
    attempts: d.attempts.map((a) => ({ ...instant('at', a.at, zone), status: a.status ?? null, ...(a.error ? { error: a.error } : {}) })),
    payload: JSON.parse(d.body) as unknown,
  };
}

export function webhookRoutes(router: Router, ctx: AdminContext): void {
  router.get('/partners/:id/webhooks', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const endpoints = await listEndpoints(ctx.store, partner.id);
    res.json({ events: WEBHOOK_EVENT_TYPES, endpoints: endpoints.map((e) => endpointApiView(e, partner.timeZone)) });
  });

  router.post('/partners/:id/webhooks', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const body = parseBody(webhookBody(ctx.webhookPolicy), req.body);
    const endpoint = await createEndpoint(ctx, principalOf(res).actor, partner.id, body);
    // The secret is shown here once and never again.
    res
      .status(201)
      .location(`${req.baseUrl}/partners/${partner.id}/webhooks/${endpoint.id}`)
      .json({ ...endpointApiView(endpoint, partner.timeZone), secret: endpoint.secret });
  });

  router.delete('/partners/:id/webhooks/:endpoint', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    await removeEndpoint(ctx, principalOf(res).actor, partner.id, req.params.endpoint as string);
    res.status(204).end();
  });

  router.get('/partners/:id/webhooks/deliveries', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const q = parseBody(DELIVERIES_QUERY, req.query);
    const page = await listDeliveries(ctx.store, partner.id, q);
    res.json({ deliveries: page.deliveries.map((d) => deliveryApiView(d, partner.timeZone)), ...(page.next ? { next: page.next } : {}) });
  });
}
