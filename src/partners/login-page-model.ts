// What a partner's login page shows at an instant: the providers offered (live and notice, notice ones
// carrying their notice), the providers in grace (offered only behind a "used X before?" link to
// migrate), and those ended or upcoming (hidden). The chooser renders this model and the preview (API,
// admin page, command line) returns it, so a preview is exactly what shoppers will see.

import type { EpochMs } from '../clock.ts';
import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { loginAvailability } from './availability.ts';
import { noticeShort, noticeText } from './notice-text.ts';
import type { Partner } from './partner.ts';
import { partnerName } from './partner.ts';
import { phaseAt, type Phase } from './phase.ts';

export interface ProviderEntry {
  id: string;
  label: string;
  phase: Phase;
  /** How the provider appears: a button, a migration link, or not at all. */
  shown: 'button' | 'migrate-link' | 'hidden';
  /** Short note on the button (notice phase). */
  note?: string;
  /** Full notice text (notice and grace phases). */
  notice?: string;
  /** When the next phase starts, if scheduled. */
  next?: { phase: Phase; at: EpochMs };
  /** Why it is hidden, when it is. */
  reason?: string;
}

export interface LoginPageModel {
  partner: string;
  shop: string;
  at: EpochMs;
  locale: Locale;
  providers: ProviderEntry[];
}

export function loginPageModel(
  partner: Partner,
  at: EpochMs,
  locale: Locale,
  descriptors: ReadonlyMap<string, ProviderDescriptor>,
  configured: ReadonlySet<string>,
): LoginPageModel {
  const providers: ProviderEntry[] = [];
  for (const integration of partner.integrations) {
    const descriptor = descriptors.get(integration.provider);
    const label = descriptor?.label[locale] ?? integration.provider;
    const p = phaseAt(integration, at);
    const entry: ProviderEntry = { id: integration.provider, label, phase: p.phase, shown: 'hidden', ...(p.next ? { next: p.next } : {}) };
    const availability = loginAvailability(partner, integration.provider, configured, at);
    if (!descriptor) entry.reason = 'unknown provider';
    else if (availability.ok) {
      entry.shown = 'button';
      if (p.phase === 'notice') {
        const note = noticeShort(partner, integration, locale, at);
        const notice = descriptor ? noticeText(partner, integration, descriptor.label, locale, at) : undefined;
        if (note) entry.note = note;
        if (notice) entry.notice = notice;
      }
    } else if (availability.reason === 'grace') {
      entry.shown = 'migrate-link';
      const notice = noticeText(partner, integration, descriptor.label, locale, at);
      if (notice) entry.notice = notice;
    } else {
      entry.reason = availability.reason;
    }
    providers.push(entry);
  }
  return { partner: partner.id, shop: partnerName(partner, locale), at, locale, providers };
}
