// Which shops an account uses, and how it last signed in there: recorded on every authorization a shop
// receives — a fresh sign-in or single sign-on with an existing session — at most once an hour per shop
// unless the method changed. Feeds the account page and the unlink warning about unreachable shops.

import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Account } from './account.ts';

const EVERY_MS = 60 * 60 * 1000;

/** `atHand`: the account as the store holds it, when the request already has it (not read again). */
export async function recordShopUse(store: Store, clock: Clock, accountId: string, partnerId: string, method: string, atHand?: Account): Promise<void> {
  const account = atHand ?? (await store.get<Account>('accounts', accountId));
  if (!account) return;
  const now = clock.now();
  const shop = account.shops[partnerId];
  if (shop && shop.lastProvider === method && now - shop.lastAt < EVERY_MS) return;
  try {
    await store.update<Account>('accounts', accountId, (a) => ({
      ...a,
      shops: { ...a.shops, [partnerId]: { firstAt: a.shops[partnerId]?.firstAt ?? now, lastAt: now, lastProvider: method } },
    }));
  } catch (err) {
    if (!(err instanceof GatewayError && err.code === 'ERR_NOT_FOUND')) throw err;
  }
}
