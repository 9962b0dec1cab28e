// Ending what an identity gave: when a shopper unlinks a provider (or an attacker's link is removed), the
// Denglu sessions signed in through it, the grants those sessions gave shops, and every token carrying
// that provider (refresh tokens record it in `amr`) are deleted, so nobody keeps access through it.

import type { AdapterPayload } from 'oidc-provider';
import type { BatchOp, Store } from '../store/store.ts';
import { OIDC_COLLECTIONS } from './store-adapter.ts';

interface OidcDoc {
  model: string;
  payload: AdapterPayload;
}

export async function revokeAccessThrough(store: Store, accountId: string, provider: string): Promise<{ sessions: number; tokens: number; grants: number }> {
  const docs = (
    await Promise.all(
      OIDC_COLLECTIONS.map(async (collection) =>
        (await store.list<OidcDoc>(collection, { index: { name: 'account', key: accountId } })).map((d) => ({ ...d, collection })),
      ),
    )
  ).flat();
  const through = (payload: AdapterPayload) => Array.isArray(payload.amr) && payload.amr.includes(provider);
  const sessionUids = new Set<string | undefined>();
  const grantIds = new Set<string | undefined>();
  for (const { value } of docs) {
    if (value.model !== 'Session' || !through(value.payload)) continue;
    sessionUids.add(value.payload.uid);
    for (const auth of Object.values(value.payload.authorizations ?? {})) if (auth?.grantId) grantIds.add(auth.grantId);
  }
  const ops: Record<string, BatchOp[]> = { oidc: [], oidc_volatile: [] };
  let sessions = 0;
  let tokens = 0;
  let grants = 0;
  for (const { id, value, collection } of docs) {
    const p = value.payload;
    if (value.model === 'Session' && sessionUids.has(p.uid)) sessions++;
    else if (value.model === 'Grant' && grantIds.has(p.jti)) grants++;
    else if (through(p) || (p.sessionUid && sessionUids.has(p.sessionUid)) || (p.grantId && grantIds.has(p.grantId))) tokens++;
    else continue;
    ops[collection]!.push({ op: 'delete', collection, id });
  }
  for (const batch of Object.values(ops)) if (batch.length) await store.batch(batch);
  return { sessions, tokens, grants };
}
