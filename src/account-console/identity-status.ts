// How one linked identity stands at one shop, in words: works, ends on a date, ended (still usable to
// move the account until grace ends), starts later, or not offered. Dates and times in the shop's zone,
// named in words (src/time/natural-date.ts).

import type { EpochMs } from '../clock.ts';
import type { Locale } from '../../providers/contract.ts';
import type { Translate } from '../i18n/messages.ts';
import { integrationFor } from '../partners/availability.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import { phaseAt } from '../partners/phase.ts';
import { naturalInstant } from '../time/natural-date.ts';

export function identityStatus(partner: Partner, provider: string, now: EpochMs, locale: Locale, t: Translate): { kind: string; text: string } {
  const shop = partnerName(partner, locale);
  const integration = integrationFor(partner, provider);
  if (!integration) return { kind: 'not-offered', text: t('account.status.notOffered', { shop }) };
  const date = (ms: EpochMs) => naturalInstant(ms, partner.timeZone, locale, now);
  const { phase } = phaseAt(integration, now);
  switch (phase) {
    case 'upcoming':
      return { kind: 'upcoming', text: t('account.status.upcoming', { shop, date: date(integration.startsAt!) }) };
    case 'live':
    case 'notice':
      return integration.cutoffAt !== undefined
        ? { kind: 'ends', text: t('account.status.ends', { shop, date: date(integration.cutoffAt) }) }
        : { kind: 'works', text: t('account.status.works', { shop }) };
    case 'grace':
      return integration.graceEndsAt !== undefined
        ? { kind: 'grace', text: t('account.status.grace', { shop, date: date(integration.cutoffAt!), until: date(integration.graceEndsAt) }) }
        : { kind: 'grace', text: t('account.status.ended', { shop, date: date(integration.cutoffAt!) }) };
    case 'ended':
      return { kind: 'ended', text: t('account.status.ended', { shop, date: date(integration.cutoffAt ?? integration.graceEndsAt!) }) };
  }
}
