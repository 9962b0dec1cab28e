// An upstream identity no account holds yet, held server-side (never in a cookie) and bound to the
// interaction while the shopper answers "have you signed in to this shop before with …?" (first broker
// login). Answering "yes" and proving the old way links it to the account found; "no" creates the new
// account from it. The upstream access token is kept only sealed; the record lives as long as the sign-in.

import type { EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { UpstreamIdentity } from '../../providers/contract.ts';
import { HELD_FOR_MS } from './pending-login.ts';

export interface UnclaimedIdentity {
  interactionUid: string;
  partnerId: string;
  identity: Omit<UpstreamIdentity, 'accessToken'>;
  sealedToken?: string;
  createdAt: EpochMs;
}

export async function holdUnclaimed(store: Store, held: UnclaimedIdentity): Promise<void> {
  await store.put('unclaimed', held.interactionUid, held, { expiresAt: held.createdAt + HELD_FOR_MS });
}

export async function unclaimedOf(store: Store, interactionUid: string): Promise<UnclaimedIdentity | undefined> {
  return store.get<UnclaimedIdentity>('unclaimed', interactionUid);
}

export async function dropUnclaimed(store: Store, interactionUid: string): Promise<void> {
  await store.delete('unclaimed', interactionUid);
}
