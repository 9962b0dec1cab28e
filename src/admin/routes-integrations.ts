// Admin routes a partner's managers share with the operator: the partner's integrations (read,
// schedule, remove), the login page preview at an instant, and the audit log (managers see only their
// partners' entries; naming another partner is refused).

import type { Router } from 'express';
import { z } from 'zod';
import { GatewayError, ValidationError } from '../errors.ts';
import { listAudit, type AuditEntry, type AuditQuery } from '../audit/audit.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { listPartners } from '../partners/partners.ts';
import { removeIntegration, scheduleIntegration, unknownProvider } from '../partners/integration-service.ts';
import { assertCanManage, principalOf, requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import { typingZone } from './typing-zone.ts';
import { DAYS_RULE, jsonObject, toInstant } from './validate.ts';
import { parseBody } from './zod-problems.ts';
import { auditView, integrationView, nowView, previewView } from './views.ts';

export function integrationRoutes(router: Router, ctx: AdminContext): void {
  const knownProvider = (provider: string): void => {
    if (!ctx.knownProviders.has(provider)) {
      throw new ValidationError([unknownProvider(provider, ctx.knownProviders)]);
    }
  };

  router.get('/partners/:id/integrations', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const now = ctx.clock.now();
    res.json({ ...nowView(partner, now), integrations: partner.integrations.map((i) => integrationView(partner, i, now, ctx)) });
  });

  router.get('/partners/:id/integrations/:provider', requirePartnerAccess, async (req, res) => {
    const provider = req.params.provider as string;
    const partner = await loadPartner(ctx, req.params.id as string);
    knownProvider(provider);
    const integration = partner.integrations.find((i) => i.provider === provider);
    if (!integration) throw new GatewayError('ERR_NOT_FOUND', `partner "${partner.id}" has no integration with "${provider}"`, { status: 404 });
    const now = ctx.clock.now();
    res.json({ ...nowView(partner, now), integration: integrationView(partner, integration, now, ctx) });
  });

  router.put('/partners/:id/integrations/:provider', requirePartnerAccess, async (req, res) => {
    const provider = req.params.provider as string;
    const existed = (await loadPartner(ctx, req.params.id as string)).integrations.some((i) => i.provider === provider);
    const change = await scheduleIntegration(ctx, principalOf(res).actor, req.params.id as string, provider, req.body);
    const now = ctx.clock.now();
    res.status(existed ? 200 : 201).json({
      ...nowView(change.partner, now),
      created: !existed,
      immediate: change.immediate,
      integration: integrationView(change.partner, change.integration, now, ctx),
    });
  });

  router.delete('/partners/:id/integrations/:provider', requirePartnerAccess, async (req, res) => {
    const provider = req.params.provider as string;
    await loadPartner(ctx, req.params.id as string);
    knownProvider(provider);
    await removeIntegration(ctx, principalOf(res).actor, req.params.id as string, provider);
    res.status(204).end();
  });

  router.get('/partners/:id/preview', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    const query = parseBody(previewQuery(partner.timeZone), req.query);
    const at = query.at ?? ctx.clock.now();
    const locale = query.locale ?? partner.locales[0] ?? 'zh-CN';
    res.json(previewView(partner, loginPageModel(partner, at, locale, ctx.descriptors, ctx.configured)));
  });

  router.get('/audit', async (req, res) => {
    const principal = principalOf(res);
    const zones = new Map((await listPartners(ctx.store)).map((p) => [p.id, p.timeZone]));
    // Instants typed without a zone are refused with suggestions in the zone the person most likely means.
    const named = typeof req.query.partner === 'string' ? req.query.partner : undefined;
    const query = parseBody(auditQuery(typingZone(principal, named, zones, 'UTC')), req.query);
    const { partner: _partner, actor, action, ...filters } = query;
    const q: AuditQuery = { ...filters, ...(actor ? { actor } : {}), ...(action ? { action } : {}) };
    if (query.partner) assertCanManage(principal, query.partner);

    let result: { entries: AuditEntry[]; next?: string };
    if (query.partner || principal.kind === 'operator') {
      result = await listAudit(ctx.store, { ...q, ...(query.partner ? { partner: query.partner } : {}) });
    } else {
      result = await mergedAudit(ctx, q, [...principal.partners]);
    }
    res.json({ entries: result.entries.map((e) => auditView(e, zones)), ...(result.next ? { next: result.next } : {}) });
  });
}

/** A manager of several partners: one page merged from each partner's entries, newest first. */
export async function mergedAudit(ctx: AdminContext, q: AuditQuery, partners: string[]): Promise<{ entries: AuditEntry[]; next?: string }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const pages = await Promise.all(partners.map((partner) => listAudit(ctx.store, { ...q, partner, limit })));
  const all = pages.flatMap((p) => p.entries).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const entries = all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => p.next !== undefined);
  return more && entries.length ? { entries, next: entries[entries.length - 1]!.id } : { entries };
}

const ONCE = 'must be given once';
/** A query parameter given once (a repeated one arrives as a list). */
export const once = () => z.string({ error: ONCE });
/** An instant in a query string, read in `timeZone` (an unencoded `+` arrives as a space). */
export const queryInstant = (timeZone: string) => once().transform(plusFromQuery).transform(toInstant(timeZone));
/** A number of whole days in a query string (1–400, the login events' default retention). */
export const queryDays = () =>
  once()
    .transform(Number)
    .pipe(z.number({ error: DAYS_RULE }).int(DAYS_RULE).min(1, DAYS_RULE).max(400, DAYS_RULE));
export const queryParams = <S extends z.ZodRawShape>(shape: S) =>
  jsonObject(shape, { unknown: `is not a known query parameter (known: ${Object.keys(shape).join(', ')})` });

/** `GET /partners/:id/preview?at=…&locale=…`. */
export function previewQuery(timeZone: string) {
  return queryParams({
    at: queryInstant(timeZone).optional(),
    locale: z.enum(['zh-CN', 'en'], { error: 'must be "zh-CN" or "en"' }).optional(),
  });
}

const LIMIT_RULE = 'must be a whole number from 1 to 500';

/** `GET /audit?partner=…&account=…&actor=…&action=…&from=…&to=…&limit=…&before=…`, instants read in `timeZone`. */
export function auditQuery(timeZone: string) {
  return queryParams({
    partner: once().optional(),
    account: once().optional(),
    actor: once().optional(),
    action: once().optional(),
    from: queryInstant(timeZone).optional(),
    to: queryInstant(timeZone).optional(),
    limit: once()
      .transform(Number)
      .pipe(z.number({ error: LIMIT_RULE }).int(LIMIT_RULE).min(1, LIMIT_RULE).max(500, LIMIT_RULE))
      .optional(),
    before: once()
      .regex(/^\d{15}-[0-9a-f]{12}$/, 'must be the "next" cursor of a previous page')
      .optional(),
  });
}

/** An unencoded `+08:00` in a query string arrives as ` 08:00`; put the plus back. */
export function plusFromQuery(raw: string): string {
  return raw.replace(/([T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/, '$1+$2');
}
