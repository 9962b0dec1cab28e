// What a shop that draws its own buttons may know about its sign-in methods at an instant: per method its
// label, mark, colours, phase, notice and next phase, and what to draw — a sign-in button (live, notice),
// a recovery entry (grace) or nothing (ended, unavailable). Methods not started yet are left out: the
// answer is public, and shoppers do not see them either. Built from the login-page model the chooser
// renders, one locale at a time, so a shop's buttons and Denglu's chooser never disagree.

import type { EpochMs } from '../clock.ts';
import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { translator } from '../i18n/messages.ts';
import { isoInZone } from '../time/instant.ts';
import { naturalInstant } from '../time/natural-date.ts';
import { buttonColours } from './contrast.ts';
import { loginPageModel, type ProviderEntry } from './login-page-model.ts';
import { integrationFor } from './availability.ts';
import type { Partner } from './partner.ts';
import type { Phase } from './phase.ts';

export type Localized = Partial<Record<Locale, string>>;

/** An instant as the admin API gives it: ISO 8601 in the partner's zone and UTC epoch milliseconds. */
export interface ApiInstant {
  at: string;
  atMs: EpochMs;
}

export interface ShopSignInMethod {
  id: string;
  label: Localized;
  /** Denglu's own SVG mark of the method (absolute URL), when it has one. */
  logo?: string;
  colors: { background: string; foreground: string };
  phase: Phase;
  /** What the shop draws: a sign-in button, a recovery entry (grace), or nothing. */
  show: 'button' | 'recovery' | 'none';
  /** The text of the shop's button or recovery entry. */
  text?: Localized;
  /** Short note for the button while in notice ("ends 25 September 2013"). */
  note?: Localized;
  /** The full notice sentence (notice and grace). */
  notice?: Localized;
  next?: { phase: Phase } & ApiInstant;
  /** Authorization request parameters, besides the usual OpenID Connect ones, that start this entry. */
  authorizationParams?: Record<string, string>;
  /** Grace only: until when the recovery entry works (absent: no end scheduled). */
  recoveryUntil?: ApiInstant;
}

export interface ShopSignInMethods {
  clientId: string;
  shop: Localized;
  timeZone: string;
  locales: Locale[];
  /** The instant described. */
  at: string;
  atMs: EpochMs;
  methods: ShopSignInMethod[];
}

export interface Described {
  description: ShopSignInMethods;
  /** The earliest scheduled phase change after the instant (not started methods included): the description may change then. */
  changesAtMs?: EpochMs;
}

export interface DescribeOptions {
  clientId: string;
  at: EpochMs;
  locales: readonly Locale[];
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  configured: ReadonlySet<string>;
  /** The URL of a method's mark, or undefined when Denglu has none. */
  logo: (id: string) => string | undefined;
}

/** Colours for a method without a descriptor (password, phone). */
const PLAIN_COLOURS = { background: '#eeeeee', foreground: '#1d2330' };
/** Descriptors are fixed at start-up: their readable colours are worked out once, not on every request. */
const readableColours = new WeakMap<object, { background: string; foreground: string }>();

function colours(brand: { background: string; foreground: string }): { background: string; foreground: string } {
  let found = readableColours.get(brand);
  if (!found) {
    found = buttonColours(brand);
    readableColours.set(brand, found);
  }
  return { ...found };
}

const SHOW: Record<ProviderEntry['shown'], ShopSignInMethod['show']> = { button: 'button', 'migrate-link': 'recovery', hidden: 'none' };

export function describeSignInMethods(partner: Partner, o: DescribeOptions): Described {
  const models = o.locales.map((locale) => ({ locale, model: loginPageModel(partner, o.at, locale, o.descriptors, o.configured) }));
  const instant = (ms: EpochMs): ApiInstant => ({ at: isoInZone(ms, partner.timeZone), atMs: ms });
  const localized = (pick: (entry: ProviderEntry, locale: Locale) => string | undefined, index: number): Localized | undefined => {
    const out: Localized = {};
    for (const { locale, model } of models) {
      const value = pick(model.providers[index]!, locale);
      if (value !== undefined) out[locale] = value;
    }
    return Object.keys(out).length ? out : undefined;
  };
  const first = models[0]!.model;
  const methods = first.providers.flatMap((entry, index): ShopSignInMethod[] => {
    if (entry.phase === 'upcoming') return [];
    const descriptor = o.descriptors.get(entry.id);
    const show = SHOW[entry.shown];
    const until = show === 'recovery' ? integrationFor(partner, entry.id)?.graceEndsAt : undefined;
    const text = (e: ProviderEntry, locale: Locale) => {
      const t = translator(locale);
      if (show === 'button') return t('shopApi.button', { provider: e.label });
      if (show === 'recovery') {
        return until === undefined
          ? t('shopApi.recover', { provider: e.label })
          : t('shopApi.recoverUntil', { provider: e.label, date: naturalInstant(until, partner.timeZone, locale, o.at) });
      }
      return undefined;
    };
    const logo = o.logo(entry.id);
    const method: ShopSignInMethod = {
      id: entry.id,
      label: localized((e) => e.label, index)!,
      ...(logo ? { logo } : {}),
      // The chooser's own button colours (readable: WCAG AA), so the shop's button looks like Denglu's.
      colors: colours(descriptor?.colors ?? PLAIN_COLOURS),
      phase: entry.phase,
      show,
    };
    const words = localized(text, index);
    if (words) method.text = words;
    const note = localized((e) => e.note, index);
    if (note) method.note = note;
    const notice = localized((e) => e.notice, index);
    if (notice) method.notice = notice;
    if (entry.next) method.next = { phase: entry.next.phase, ...instant(entry.next.at) };
    if (show !== 'none') method.authorizationParams = { provider: entry.id };
    if (until !== undefined) method.recoveryUntil = instant(until);
    return [method];
  });
  const changes = first.providers.flatMap((p) => (p.next ? [p.next.at] : []));
  const description: ShopSignInMethods = {
    clientId: o.clientId,
    shop: Object.fromEntries(models.map(({ locale, model }) => [locale, model.shop])),
    timeZone: partner.timeZone,
    locales: [...o.locales],
    ...instant(o.at),
    methods,
  };
  return changes.length ? { description, changesAtMs: Math.min(...changes) } : { description };
}
