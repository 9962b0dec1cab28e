// The warnings at the top of the account page: one for every way of signing in the shopper holds that is
// ending (notice) or has stopped but can still move the account (grace) at a shop they use, in the
// shop's own words when it wrote a notice (src/partners/notice-text.ts), else the generated ones.

import type { Locale } from '../../providers/contract.ts';
import type { Account } from '../accounts/account.ts';
import type { EpochMs } from '../clock.ts';
import { usesShopWith } from '../notice-mail/affected-shopper.ts';
import { integrationFor } from '../partners/availability.ts';
import { noticeText } from '../partners/notice-text.ts';
import type { Partner } from '../partners/partner.ts';
import { phaseAt } from '../partners/phase.ts';

export interface EndingBanner {
  partner: string;
  provider: string;
  phase: 'notice' | 'grace';
  text: string;
}

export function endingBanners(
  account: Account,
  partners: readonly Partner[],
  label: (provider: string) => Record<Locale, string> | undefined,
  locale: Locale,
  now: EpochMs,
): EndingBanner[] {
  const out: EndingBanner[] = [];
  const providers = [...new Set(account.identities.map((i) => i.provider))];
  for (const partner of partners) {
    for (const provider of providers) {
      if (!usesShopWith(account, partner.id, provider)) continue;
      const integration = integrationFor(partner, provider);
      const names = label(provider);
      if (!integration || !names) continue;
      let phase: string;
      try {
        phase = phaseAt(integration, now).phase;
      } catch {
        continue;
      }
      if (phase !== 'notice' && phase !== 'grace') continue;
      const text = noticeText(partner, integration, names, locale, now);
      if (text) out.push({ partner: partner.id, provider, phase, text });
    }
  }
  return out;
}
