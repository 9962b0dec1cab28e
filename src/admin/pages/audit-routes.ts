// The audit log page (`/admin/audit?partner=&action=&actor=&from=&to=&before=`): newest first, 20 a page
// with a cursor to older entries, each with its time in the partner's zone (Asia/Shanghai otherwise),
// actor, action and target in words, and the fields it changed as "field: before → after" lines in words
// (audit-diff.ts). Managers see their partners' entries only; naming
// another partner is 403. Dates in the filters need an offset or a zone like everywhere else.

import type { Router } from 'express';
import { listAudit, type AuditEntry, type AuditQuery } from '../../audit/audit.ts';
import { listPartners } from '../../partners/partners.ts';
import { partnerName } from '../../partners/partner.ts';
import type { Problem } from '../../partners/schedule.ts';
import { parseInstant } from '../../time/instant.ts';
import { assertCanManage } from '../auth.ts';
import { mergedAudit, plusFromQuery } from '../routes-integrations.ts';
import type { Locale } from '../../../providers/contract.ts';
import { problemText } from '../problem-text.ts';
import { auditChanges, auditDate, auditWords } from './audit-diff.ts';
import { adminTranslator, isAdminMessage, type AdminTranslate } from './messages.ts';
import { principalOfPage, providerLabel, renderPage, uiLocale, visiblePartners, type PagesContext } from './page.ts';
import { typingZone } from '../typing-zone.ts';

export const AUDIT_PAGE_SIZE = 20;
const FILTERS = ['partner', 'action', 'actor', 'from', 'to'] as const;
const FALLBACK_ZONE = 'Asia/Shanghai';

export function auditRoutes(router: Router, ctx: PagesContext): void {
  router.get('/audit', async (req, res) => {
    const principal = principalOfPage(res);
    const locale = uiLocale(req);
    const m = adminTranslator(locale);
    const filters: Record<(typeof FILTERS)[number], string> = { partner: '', action: '', actor: '', from: '', to: '' };
    for (const name of FILTERS) {
      const value = req.query[name];
      if (typeof value === 'string') filters[name] = value.trim().slice(0, 200);
    }
    if (filters.partner) assertCanManage(principal, filters.partner);

    const problems: Problem[] = [];
    const q: AuditQuery = { limit: AUDIT_PAGE_SIZE };
    const zones = new Map((await listPartners(ctx.store)).map((p) => [p.id, p.timeZone]));
    const typedIn = typingZone(principal, filters.partner || undefined, zones, FALLBACK_ZONE);
    if (filters.action) q.action = filters.action;
    if (filters.actor) q.actor = filters.actor;
    for (const field of ['from', 'to'] as const) {
      if (!filters[field]) continue;
      filters[field] = plusFromQuery(filters[field]);
      const parsed = parseInstant(filters[field], typedIn);
      if (parsed.ok) q[field] = parsed.value;
      else problems.push({ field, message: problemText({ field, ...parsed }, locale) });
    }
    const before = typeof req.query.before === 'string' ? req.query.before : undefined;
    if (before !== undefined) {
      if (/^\d{15}-[0-9a-f]{12}$/.test(before)) q.before = before;
      else problems.push({ field: 'before', message: m('audit.cursorProblem') });
    }

    const visible = await visiblePartners(ctx, res);
    const common = {
      filters,
      partners: visible.map((p) => ({ id: p.id, name: partnerName(p, locale) })),
      paged: before !== undefined,
    };
    if (problems.length) {
      const labelled = problems.map((p) => ({ ...p, label: p.field === 'before' ? m('audit.older') : m(`audit.${p.field as 'from' | 'to'}`) }));
      return renderPage(ctx, req, res, 'audit', { ...common, problems: labelled, entries: [], older: undefined, newest: '/admin/audit' }, 400);
    }

    let result: { entries: AuditEntry[]; next?: string };
    if (filters.partner) result = await listAudit(ctx.store, { ...q, partner: filters.partner });
    else if (principal.kind === 'operator') result = await listAudit(ctx.store, q);
    else result = await mergedAudit(ctx, q, [...principal.partners]);

    const names = new Map(visible.map((p) => [p.id, partnerName(p, locale)]));
    const entries = result.entries.map((e) => {
      const zone = (e.target.partner && zones.get(e.target.partner)) || FALLBACK_ZONE;
      return {
        id: e.id,
        at: auditDate(e.at, zone, locale),
        zone,
        partner: e.target.partner ?? '',
        actorId: `${e.actor.kind}:${e.actor.id}`,
        actor: actorText(m, e.actor.kind, e.actor.id),
        action: e.action,
        actionText: translated(m, `audit.action.${e.action}`) ?? e.action,
        target: targetText(ctx, m, locale, names, e.target),
        created: e.before === null || e.before === undefined,
        removed: e.after === null || e.after === undefined,
        changes: auditChanges(
          e.before,
          e.after,
          auditWords(m, locale, zone, (id) => providerLabel(ctx, id, locale)),
        ),
      };
    });
    const params = new URLSearchParams();
    for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
    const newest = `/admin/audit${params.size ? `?${params.toString()}` : ''}`;
    let older: string | undefined;
    if (result.next) {
      params.set('before', result.next);
      older = `/admin/audit?${params.toString()}`;
    }
    await renderPage(ctx, req, res, 'audit', { ...common, problems, entries, older, newest });
  });
}

/** The message `key` when the admin pages have it. */
function translated(m: AdminTranslate, key: string, params?: Record<string, string>): string | undefined {
  return isAdminMessage(key) ? m(key, params) : undefined;
}

function actorText(m: AdminTranslate, kind: string, id: string): string {
  return translated(m, `audit.actor.${kind}`, { id }) ?? `${kind} ${id}`;
}

/** `阿尔法商店 · 微博 · 账号 …`: the partner by name, the provider by label, other targets with their kind. */
function targetText(ctx: PagesContext, m: AdminTranslate, locale: Locale, names: Map<string, string>, target: AuditEntry['target']): string {
  return Object.entries(target)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([kind, id]) =>
      kind === 'partner'
        ? (names.get(id) ?? id)
        : kind === 'provider'
          ? providerLabel(ctx, id, locale)
          : (translated(m, `audit.target.${kind}`, { id }) ?? `${kind} ${id}`),
    )
    .join(' · ');
}
