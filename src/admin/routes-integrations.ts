// Admin routes a partner's managers share with the operator: the partner's integrations (read,
// schedule, remove), the login page preview at an instant, and the audit log (managers see only their
// partners' entries; naming another partner is refused).

import type { Request, Router } from 'express';
import { GatewayError, ValidationError } from '../errors.ts';
import { listAudit, type AuditEntry, type AuditQuery } from '../audit/audit.ts';
import { loginPageModel } from '../partners/login-page-model.ts';
import { listPartners } from '../partners/partners.ts';
import { removeIntegration, scheduleIntegration } from '../partners/integration-service.ts';
import { parseInstant } from '../time/instant.ts';
import { assertCanManage, principalOf, requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import type { Problem } from '../partners/schedule.ts';
import { typingZone } from './typing-zone.ts';
import { auditView, integrationView, nowView, previewView } from './views.ts';

export function integrationRoutes(router: Router, ctx: AdminContext): void {
  const knownProvider = (provider: string): void => {
    if (!ctx.knownProviders.has(provider)) {
      throw new ValidationError([{ field: 'provider', message: `"${provider}" is not a provider Denglu knows (${[...ctx.knownProviders].join(', ')})` }]);
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
    const problems: Problem[] = [];
    const query = queryOf(req, ['at', 'locale'], problems);
    let at = ctx.clock.now();
    if (query.at !== undefined) {
      const parsed = parseInstant(plusFromQuery(query.at), partner.timeZone);
      if (parsed.ok) at = parsed.value;
      else problems.push({ field: 'at', message: parsed.message });
    }
    let locale = partner.locales[0] ?? 'zh-CN';
    if (query.locale !== undefined) {
      if (query.locale === 'zh-CN' || query.locale === 'en') locale = query.locale;
      else problems.push({ field: 'locale', message: 'must be "zh-CN" or "en"' });
    }
    if (problems.length) throw new ValidationError(problems);
    res.json(previewView(partner, loginPageModel(partner, at, locale, ctx.descriptors, ctx.configured)));
  });

  router.get('/audit', async (req, res) => {
    const principal = principalOf(res);
    const problems: Problem[] = [];
    const query = queryOf(req, ['partner', 'actor', 'action', 'from', 'to', 'limit', 'before'], problems);
    const q: AuditQuery = {};
    const zones = new Map((await listPartners(ctx.store)).map((p) => [p.id, p.timeZone]));
    const zone = typingZone(principal, query.partner, zones, 'UTC');
    if (query.actor) q.actor = query.actor;
    if (query.action) q.action = query.action;
    for (const field of ['from', 'to'] as const) {
      if (query[field] === undefined) continue;
      const parsed = parseInstant(plusFromQuery(query[field]), zone);
      if (parsed.ok) q[field] = parsed.value;
      else problems.push({ field, message: parsed.message });
    }
    if (query.limit !== undefined) {
      const n = Number(query.limit);
      if (!Number.isInteger(n) || n < 1 || n > 500) problems.push({ field: 'limit', message: 'must be a whole number from 1 to 500' });
      else q.limit = n;
    }
    if (query.before !== undefined) {
      if (!/^\d{15}-[0-9a-f]{12}$/.test(query.before)) problems.push({ field: 'before', message: 'must be the "next" cursor of a previous page' });
      else q.before = query.before;
    }
    if (problems.length) throw new ValidationError(problems);
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

/** Query parameters as single strings; unknown or repeated ones are problems. */
function queryOf(req: Request, known: readonly string[], problems: Problem[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (!known.includes(key)) problems.push({ field: key, message: `is not a known query parameter (known: ${known.join(', ')})` });
    else if (typeof value !== 'string') problems.push({ field: key, message: 'must be given once' });
    else out[key] = value;
  }
  return out;
}

/** An unencoded `+08:00` in a query string arrives as ` 08:00`; put the plus back. */
export function plusFromQuery(raw: string): string {
  return raw.replace(/([T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/, '$1+$2');
}
