// A sign-in that is proven but not finished: the shopper authenticated upstream, and Denglu holds the
// account here while it shows the notice interstitial or the migration page. Kept per interaction, for
// as long as the interaction lives; a migration is never finished without a replacement linked.

import type { EpochMs } from '../clock.ts';
import type { Partner } from '../partners/partner.ts';
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
  /** The account was created by this sign-in: its login event says so when the held sign-in finishes. */
  accountCreated?: true;
}

/** What a held sign-in's success adds to its login event when it goes on: `created` when it made the account. */
export function createdBy(pending: PendingLogin): { created?: true } {
  return pending.accountCreated ? { created: true } : {};
}

/** How long a record held for one interaction (a pending login, an unclaimed identity) is kept: as long as a sign-in may last. */
export const HELD_FOR_MS = 60 * 60 * 1000;

/**
 * Whether sign-ins at this shop can have held records (a pending login, an unclaimed identity): they are
 * made only while some integration is in notice or grace, so only a shop with a dated lifecycle (notice,
 * cutoff or grace end) on some integration is asked for them; every other login skips those two reads.
 * Should a shop's last dates be removed while one of its sign-ins is held, that sign-in's records are
 * no longer consulted and expire after HELD_FOR_MS.
 */
export function mayHoldSignIns(partner: Partner): boolean {
  return partner.integrations.some((i) => i.noticeAt !== undefined || i.cutoffAt !== undefined || i.graceEndsAt !== undefined);
}

export async function holdLogin(store: Store, pending: PendingLogin): Promise<void> {
  await store.put('pending', pending.interactionUid, pending, { expiresAt: pending.createdAt + HELD_FOR_MS });
}

export async function pendingLogin(store: Store, interactionUid: string): Promise<PendingLogin | undefined> {
  return store.get<PendingLogin>('pending', interactionUid);
}

export async function releaseLogin(store: Store, interactionUid: string): Promise<void> {
  await store.delete('pending', interactionUid);
}
