// How the admin API shows its data: every instant twice, as an ISO 8601 string in the partner's time
// zone (`cutoffAt`) and as UTC epoch milliseconds (`cutoffAtMs`); integrations with their phase now and
// the next change; clients without secrets; managers without hashes.

import type { EpochMs } from '../clock.ts';
import type { ProviderDescriptor } from '../../providers/contract.ts';
import type { AuditEntry } from '../audit/audit.ts';
import type { LoginPageModel } from '../partners/login-page-model.ts';
import { noticeText } from '../partners/notice-text.ts';
import type { Integration, Partner } from '../partners/partner.ts';
import { accentOf, logoSummary } from '../partners/brand.ts';
import { phaseAt } from '../partners/phase.ts';
import { DATE_FIELDS } from '../partners/schedule.ts';
import { isoInZone } from '../time/instant.ts';
import { clientView } from './partner-admin.ts';

export interface ViewContext {
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  configured: ReadonlySet<string>;
}

/** `{ [name]: ISO in zone, [name + 'Ms']: epoch ms }`. */
export function instant(name: string, ms: EpochMs | undefined, zone: string): Record<string, string | number> {
  return ms === undefined ? {} : { [name]: isoInZone(ms, zone), [`${name}Ms`]: ms };
}

export function integrationView(partner: Partner, integration: Integration, now: EpochMs, ctx: ViewContext): Record<string, unknown> {
  const zone = partner.timeZone;
  const p = phaseAt(integration, now);
  const descriptor = ctx.descriptors.get(integration.provider);
  const dates: Record<string, string | number> = {};
  for (const field of DATE_FIELDS) Object.assign(dates, instant(field, integration[field], zone));
  const texts: Record<string, string> = {};
  if (descriptor) {
    for (const locale of ['zh-CN', 'en'] as const) {
      const t = noticeText(partner, integration, descriptor.label, locale, now);
      if (t) texts[locale] = t;
    }
  }
  return {
    provider: integration.provider,
    ...(descriptor ? { label: descriptor.label } : {}),
    configured: ctx.configured.has(integration.provider),
    phase: p.phase,
    ...instant('since', p.since, zone),
    ...(p.next ? { next: { phase: p.next.phase, ...instant('at', p.next.at, zone) } } : {}),
    ...dates,
    newAccountsDuringNotice: integration.newAccountsDuringNotice,
    atCutoff: integration.atCutoff,
    ...(integration.notice ? { notice: integration.notice } : {}),
    ...(Object.keys(texts).length ? { noticeText: texts } : {}),
  };
}

export function partnerView(partner: Partner, now: EpochMs, ctx: ViewContext): Record<string, unknown> {
  return {
    id: partner.id,
    name: partner.name,
    timeZone: partner.timeZone,
    locales: partner.locales,
    firstParty: partner.firstParty,
    brand: brandView(partner),
    clients: partner.clients.map(clientView),
    integrations: partner.integrations.map((i) => integrationView(partner, i, now, ctx)),
    ...instant('createdAt', partner.createdAt, partner.timeZone),
    ...instant('updatedAt', partner.updatedAt, partner.timeZone),
  };
}

/** The instant the answer was computed at, in the partner's zone. */
export function nowView(partner: Partner, now: EpochMs): Record<string, unknown> {
  return { partner: partner.id, timeZone: partner.timeZone, ...instant('now', now, partner.timeZone) };
}

export function previewView(partner: Partner, model: LoginPageModel): Record<string, unknown> {
  const zone = partner.timeZone;
  return {
    partner: model.partner,
    shop: model.shop,
    timeZone: zone,
    locale: model.locale,
    ...instant('at', model.at, zone),
    providers: model.providers.map(({ next, ...entry }) => ({ ...entry, ...(next ? { next: { phase: next.phase, ...instant('at', next.at, zone) } } : {}) })),
  };
}

/**
 * An audit entry with `at` in the target partner's zone (UTC when it has none), and that zone; the
 * instants inside `before` and `after` (stored as epoch ms in fields named …At) shown the same way.
 */
export function auditView(entry: AuditEntry, zones: ReadonlyMap<string, string>): Record<string, unknown> {
  const zone = (entry.target.partner && zones.get(entry.target.partner)) || 'UTC';
  return {
    ...entry,
    ...instant('at', entry.at, zone),
    ...(entry.erasedAt === undefined ? {} : instant('erasedAt', entry.erasedAt, zone)),
    timeZone: zone,
    before: instantsIn(entry.before, zone),
    after: instantsIn(entry.after, zone),
  };
}

/** A stored state with every `…At` epoch-ms field given as `…At` (ISO in `zone`) and `…AtMs`, at any depth. */
function instantsIn(value: unknown, zone: string): unknown {
  if (Array.isArray(value)) return value.map((v) => instantsIn(v, zone));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (/At$/.test(key) && typeof v === 'number' && Number.isFinite(v)) Object.assign(out, instant(key, v, zone));
    else out[key] = instantsIn(v, zone);
  }
  return out;
}

/** The brand as the API shows it: the colour, the text colour shoppers see on it, and where the logo is served. */
export function brandView(partner: Partner): Record<string, unknown> {
  const accent = accentOf(partner);
  return {
    colour: partner.brand?.colour ?? null,
    ...(accent ? { accent: accent.accent, accentText: accent.text } : {}),
    logo: partner.brand?.logo ? { url: `/brand/${partner.id}/logo`, description: logoSummary(partner.brand.logo) } : null,
  };
}
