// Who gets notice mail about a (partner, provider) going away, and how to reach them. "Affected": the
// account holds an identity of that provider and has used that shop (the per-shop usage record
// `account.shops[partner]`, stamped on every authorization the shop receives: src/accounts/shop-use.ts).
// This is the one place that definition lives; a richer one (login events, issue 16 §1) replaces only
// `usesShopWith`. A shopper who already holds another way into that shop that still signs in after the
// cutoff (src/impact/ways-after-cutoff.ts, the impact report's own test) has nothing to do and is not
// mailed. Mail goes only to a verified native email, never to an address a provider reported.

import type { Locale } from '../../providers/contract.ts';
import type { Account } from '../accounts/account.ts';
import { verifiedEmailClaims } from '../accounts/verified-email.ts';
import { heldWays } from '../events/shop-ways.ts';
import { waysHeld } from '../impact/ways-after-cutoff.ts';

/** Has this account used `partnerId`, and does it hold an identity of `provider`? */
export function usesShopWith(account: Account, partnerId: string, provider: string): boolean {
  return account.shops[partnerId] !== undefined && account.identities.some((i) => i.provider === provider);
}

/** Does the account already hold one of `waysAfterCutoff` (methodsSigningInAt of the shop at the cutoff)? */
export function alreadyMigrated(account: Account, waysAfterCutoff: readonly string[]): boolean {
  return waysHeld(heldWays(account), waysAfterCutoff).length > 0;
}

/** The address notice mail goes to: the verified native email, or none. */
export function noticeMailAddress(account: Account): string | undefined {
  return verifiedEmailClaims(account).email;
}

/** The shopper turned notice mail off. */
export function noticeMailOff(account: Account): boolean {
  return account.noticeMail?.offAt !== undefined;
}

/** The mail's language: the one last used on the account page, else the profile's, else Simplified Chinese. */
export function mailLocale(account: Account): Locale {
  if (account.noticeMail?.locale) return account.noticeMail.locale;
  const tag = account.profile.locale?.toLowerCase() ?? '';
  return tag === 'en' || tag.startsWith('en-') ? 'en' : 'zh-CN';
}
