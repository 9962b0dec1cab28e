// What the login-event records keep of a deleted account: nothing. Its raw events (`login_events`, whose
// ids lead with the account: `<account>/<time>-<random>`) and its per-shop usage summaries (`shop_usage`)
// are deleted; the per-day counts (`login_days`) stay, since they name no account. Called by the account
// deletion's sweep (src/accounts/delete-account.ts), and by the login-event flush when it finds the account
// of a summary it just wrote gone (a sign-in buffered just before the account was deleted).

import { deleteWithPrefix } from '../store/id-prefix.ts';
import type { Store } from '../store/store.ts';
import { SHOP_USAGE_COLLECTION, shopUsageId } from './shop-usage.ts';

export const LOGIN_EVENTS_COLLECTION = 'login_events';

/** The prefix of the ids of an account's raw events. */
export function rawEventPrefix(account: string): string {
  return `${account}/`;
}

/** Deletes the account's raw events and its usage summaries at these shops; resolves to how many were removed. */
export async function forgetLoginEvents(store: Store, account: string, partners: readonly string[]): Promise<number> {
  let removed = await deleteWithPrefix(store, LOGIN_EVENTS_COLLECTION, rawEventPrefix(account));
  for (const partner of partners) if (await store.delete(SHOP_USAGE_COLLECTION, shopUsageId(partner, account))) removed++;
  return removed;
}
