// The warnings at the top of the account page: one for every way of signing in the shopper holds that is
// ending (notice) or has stopped but can still move the account (grace) at a shop they use, in the
// shop's own words when it wrote a notice (src/partners/notice-text.ts), else the generated ones. Each
// names the ways the shopper already holds that still sign in at that shop after the cutoff (the impact
// report's own test, src/impact/ways-after-cutoff.ts), so a shopper who linked QQ is told they are set
// rather than asked again to link another way.

import type { Locale } from '../../providers/contract.ts';
import type { Account } from '../accounts/account.ts';
import type { EpochMs } from '../clock.ts';
import { heldWays } from '../events/shop-ways.ts';
import { methodsSigningInAt, waysHeld } from '../impact/ways-after-cutoff.ts';
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
  /** The ways the account holds that still sign in at this shop after the cutoff (method ids); empty: none yet. */
  keeps: string[];
}

export function endingBanners(
  account: Account,
  partners: readonly Partner[],
  label: (provider: string) => Record<Locale, string> | undefined,
  locale: Locale,
  configured: ReadonlySet<string>,
  now: EpochMs,
): EndingBanner[] {
  const out: EndingBanner[] = [];
  const held = heldWays(account);
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
      const after = Math.max(now, integration.cutoffAt ?? now);
      const keeps = waysHeld(held, methodsSigningInAt(partner, provider, configured, after)).map((w) => w.method);
      if (text) out.push({ partner: partner.id, provider, phase, text, keeps });
    }
  }
  return out;
}
