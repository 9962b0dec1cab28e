// The ways into a shop an account holds, kept in its shop-usage summaries (src/events/shop-usage.ts) so the
// impact report reads one summary per shopper and never the account: each method the account holds a
// credential for — a linked identity of a provider, a native password, a verified phone — with when it got
// it. Kept current two ways, never by a statement on a sign-in's request path:
//   - the login-event flush (src/events/recorder.ts) reads the account again for a summary that has no
//     ways yet, or whose events say they may have changed (an account created, a replacement added during
//     notice or grace, a sign-in with a method the summary does not list);
//   - a change of ways outside a sign-in (link, unlink, a password set or reset, a phone set or removed)
//     rewrites the summaries of every shop the account uses (`refreshShopWays`).

import type { Account } from '../accounts/account.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import type { EpochMs } from '../clock.ts';
import type { Store, UpsertItem } from '../store/store.ts';
import { upsertInBatches } from '../store/upsert.ts';
import { inParallel } from './in-parallel.ts';
import type { LoginEvent } from './login-event.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage, shopUsageId } from './shop-usage.ts';

/** Method → when the account got a credential for it. */
export type HeldWays = Record<string, EpochMs>;

/** Every way the account holds, each with when it got it (the earliest link of a provider). */
export function heldWays(account: Account): HeldWays {
  const out: HeldWays = {};
  for (const i of account.identities) out[i.provider] = Math.min(out[i.provider] ?? i.linkedAt, i.linkedAt);
  if (account.native?.passwordHash) out[PASSWORD_METHOD] = account.native.passwordSetAt ?? account.createdAt;
  if (account.phone?.number) out[PHONE_METHOD] = account.phone.verifiedAt;
  return out;
}

/** Whether these sign-ins may have changed the ways the summary lists (the flush then reads the account). */
export function waysMayHaveChanged(usage: ShopUsage, events: readonly LoginEvent[]): boolean {
  const ways = usage.ways;
  if (!ways) return true;
  return events.some((e) => e.created || e.via !== undefined || ways[e.method] === undefined);
}

/**
 * The account's summaries at these shops (default: every shop it uses) with its ways as the store holds
 * them now. False, changing nothing, when the account is gone (deleted: the login-event flush then deletes
 * what it wrote for it, src/events/forget-account.ts).
 */
export async function refreshShopWays(store: Store, accountId: string, partners?: readonly string[]): Promise<boolean> {
  return (await refreshManyShopWays(store, new Map([[accountId, partners]]))).length === 0;
}

/** Account reads in flight at once while refreshing many accounts' ways. */
const PARALLEL_READS = 4;

/**
 * refreshShopWays for many accounts (account → its shops, default every shop it uses): each account read
 * once, then every summary rewritten in Store.upsertMany calls (a summary that is absent stays absent), not
 * a statement per summary. Answers the accounts found gone, with their shops; nothing is changed for those.
 */
export async function refreshManyShopWays(
  store: Store,
  accounts: ReadonlyMap<string, readonly string[] | undefined>,
): Promise<{ account: string; partners: readonly string[] }[]> {
  const gone: { account: string; partners: readonly string[] }[] = [];
  const items: UpsertItem<ShopUsage>[] = [];
  await inParallel([...accounts], PARALLEL_READS, async ([accountId, partners]) => {
    const account = await store.get<Account>('accounts', accountId);
    if (!account) {
      gone.push({ account: accountId, partners: partners ?? [] });
      return;
    }
    const ways = heldWays(account);
    for (const partner of new Set(partners ?? Object.keys(account.shops))) {
      items.push({ id: shopUsageId(partner, accountId), fn: (u) => (u ? { ...u, ways } : undefined) });
    }
  });
  await upsertInBatches(store, SHOP_USAGE_COLLECTION, items);
  return gone;
}
