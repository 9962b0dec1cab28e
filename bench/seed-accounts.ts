// Pre-generates N accounts deterministically, one per emulator test user (`user00001` …), exactly as
// first sign-ins would have created them, in whichever store DATABASE_URL-style settings select (the
// embedded one in a directory, or a PostgreSQL database): `store.load` in chunks (multi-row inserts on PostgreSQL),
// with a progress callback per chunk. The embedded store is compacted afterwards so the gateway starts
// from a snapshot. The accounts are active ones (signed in and profile fetched just now), so runs at
// different sizes do the same work per login and differ only in the size of the store. A test user whose
// upstream id another one already has (the emulators derive ids by hashing the login, and at a million
// users a few dozen collide) is left out and counted: signing in as that user reaches the other's account.

import { systemClock } from '../src/clock.ts';
import { generatedUsers } from '../providers/shared/emulator/test-users.ts';
import { PROVIDERS } from '../providers/index.ts';
import type { Account } from '../src/accounts/account.ts';
import type { DumpedDocument, Store } from '../src/store/store.ts';
import { createStore } from '../src/store/create-store.ts';
import { loadCookieKeys } from '../src/oidc/secrets.ts';
import { tokenSealer } from '../src/accounts/upstream-token.ts';

/** Accounts per `store.load` call. */
export const SEED_CHUNK = 5000;

/** The id of the n-th generated account (1-based): sorts in generation order. */
export function seededAccountId(n: number): string {
  return `bench-account-${String(n).padStart(7, '0')}`;
}

export interface SeedTarget {
  dataDir: string;
  /** Seed this PostgreSQL database instead of the embedded store in dataDir. */
  databaseUrl?: string;
}

export async function seedAccounts(
  where: SeedTarget,
  count: number,
  provider: string,
  clientId: string,
  shop: string,
  progress: (done: number, total: number) => void,
): Promise<{ seeded: number; skipped: number }> {
  const store = await createStore({
    dataDir: where.dataDir,
    ...(where.databaseUrl ? { databaseUrl: where.databaseUrl } : {}),
    clock: systemClock,
  });
  try {
    const counts = await loadAccounts(store, count, provider, clientId, shop, progress);
    // The embedded store writes a snapshot now rather than replaying a long journal at the gateway's start.
    await (store as { compact?: () => Promise<void> }).compact?.();
    return counts;
  } finally {
    await store.close();
  }
}

async function loadAccounts(
  store: Store,
  count: number,
  provider: string,
  clientId: string,
  shop: string,
  progress: (done: number, total: number) => void,
): Promise<{ seeded: number; skipped: number }> {
  const emulator = PROVIDERS.get(provider)!.createEmulator({ apps: [] });
  const users = generatedUsers(count);
  const created = Date.UTC(2013, 0, 1);
  const active = Date.now();
  // The gateway will find these cookie keys in the store and use them; an identity of a provider that
  // can revoke grants keeps its sealed upstream token, as a first sign-in stores it.
  const sealer = tokenSealer(await loadCookieKeys(store, undefined));
  const revocable = PROVIDERS.get(provider)!.descriptor.revocable;
  const taken = new Set<string>();
  let skipped = 0;
  for (let i = 0; i < users.length; i += SEED_CHUNK) {
    const chunk = users.slice(i, i + SEED_CHUNK);
    const tokens = revocable ? await Promise.all(chunk.map((u) => sealer.seal(`seeded-token-${u.login}`))) : [];
    const docs: DumpedDocument[] = chunk.flatMap((u, j) => {
      const keys = emulator.identityKeysFor(u.login, clientId);
      if (keys.some((k) => taken.has(k))) {
        skipped++;
        return [];
      }
      for (const k of keys) taken.add(k);
      const account: Account = {
        id: seededAccountId(i + j + 1),
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
      return [{ id: account.id, value: account }];
    });
    await store.load('accounts', docs);
    progress(Math.min(i + SEED_CHUNK, count), count);
  }
  return { seeded: count - skipped, skipped };
}
