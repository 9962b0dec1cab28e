// Pre-generates N accounts deterministically in an embedded store, one per emulator test user
// (`user00001` …), exactly as first sign-ins would have created them, then compacts the store so the
// gateway starts from a snapshot. Shows a progress bar. The accounts are active ones (signed in and
// profile fetched just now), so the 1,000 and 100,000 runs do the same work per login and differ only in
// the size of the store.

import { COLLECTIONS } from '../src/store/collections.ts';
import { LowdbStore } from '../src/store/lowdb/lowdb-store.ts';
import { systemClock } from '../src/clock.ts';
import { generatedUsers } from '../providers/shared/emulator/test-users.ts';
import { PROVIDERS } from '../providers/index.ts';
import type { Account } from '../src/accounts/account.ts';
import type { BatchOp } from '../src/store/store.ts';
import { loadCookieKeys } from '../src/oidc/secrets.ts';
import { tokenSealer } from '../src/accounts/upstream-token.ts';

export async function seedAccounts(
  dir: string,
  count: number,
  provider: string,
  clientId: string,
  shop: string,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const emulator = PROVIDERS.get(provider)!.createEmulator({ apps: [] });
  const store = await LowdbStore.open({ dir, clock: systemClock, collections: COLLECTIONS });
  try {
    const users = generatedUsers(count);
    const created = Date.UTC(2013, 0, 1);
    const active = Date.now();
    // The gateway will find these cookie keys in the store and use them; an identity of a provider that
    // can revoke grants keeps its sealed upstream token, as a first sign-in stores it.
    const sealer = tokenSealer(await loadCookieKeys(store, undefined));
    const revocable = PROVIDERS.get(provider)!.descriptor.revocable;
    for (let i = 0; i < users.length; i += 1000) {
      const batch = users.slice(i, i + 1000);
      const tokens = revocable ? await Promise.all(batch.map((u) => sealer.seal(`seeded-token-${u.login}`))) : [];
      const ops: BatchOp[] = batch.map((u, j) => {
        const keys = emulator.identityKeysFor(u.login, clientId);
        const n = i + j + 1;
        const account: Account = {
          id: `bench-account-${String(n).padStart(7, '0')}`,
          createdAt: created,
          identities: [
            {
              provider,
              subject: keys[0]!.split(':').slice(2).join(':'),
              keys,
              displayName: u.name,
              linkedAt: created,
              lastUsedAt: active,
              profileAt: active,
              ...(tokens[j] ? { upstreamToken: tokens[j] } : {}),
            },
          ],
          profile: { name: u.name },
          shops: { [shop]: { firstAt: created, lastAt: active, lastProvider: provider } },
        };
        return { op: 'create', collection: 'accounts', id: account.id, value: account };
      });
      await store.batch(ops);
      progress(Math.min(i + 1000, count), count);
    }
    await store.compact();
  } finally {
    await store.close();
  }
}
