// A sign-in that is proven but not finished: the shopper authenticated upstream, and Denglu holds the
// account here while it shows the notice interstitial or the migration page. Kept per interaction, for
// as long as the interaction lives; a migration is never finished without a replacement linked.

import type { EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';

export interface PendingLogin {
  interactionUid: string;
  accountId: string;
  partnerId: string;
  /** The provider the shopper just used. */
  provider: string;
  /** notice: may continue at once; migrate: must link a replacement first. */
  kind: 'notice' | 'migrate';
  createdAt: EpochMs;
}

/** How long a record held for one interaction (a pending login, an unclaimed identity) is kept: as long as a sign-in may last. */
export const HELD_FOR_MS = 60 * 60 * 1000;

export async function holdLogin(store: Store, pending: PendingLogin): Promise<void> {
  await store.put('pending', pending.interactionUid, pending, { expiresAt: pending.createdAt + HELD_FOR_MS });
}

export async function pendingLogin(store: Store, interactionUid: string): Promise<PendingLogin | undefined> {
  return store.get<PendingLogin>('pending', interactionUid);
}

export async function releaseLogin(store: Store, interactionUid: string): Promise<void> {
  await store.delete('pending', interactionUid);
}
