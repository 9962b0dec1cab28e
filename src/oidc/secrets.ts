// Key material Denglu generates once and keeps in the store: in development the cookie keys and the
// pairwise salt (production supplies them through configuration; config/load-config.ts refuses generated
// ones). The ID token signing keys are kept here too, in stages (src/oidc/signing-keys.ts).

import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';

/** The JWKS oidc-provider is built with: private keys, the signing one first. */
export interface SigningKeys {
  keys: JWK[];
}

/** Reads a stored secret or creates it; two starters racing both end up with the first one's value. */
export async function loadOrCreate<T>(store: Store, id: string, make: () => Promise<T>): Promise<T> {
  const existing = await store.get<T>('secrets', id);
  if (existing !== undefined) return existing;
  const value = await make();
  try {
    await store.create('secrets', id, value);
    return value;
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_ALREADY_EXISTS') return (await store.get<T>('secrets', id))!;
    throw err;
  }
}

export async function loadCookieKeys(store: Store, configured: string[] | undefined): Promise<string[]> {
  if (configured) return configured;
  return loadOrCreate(store, 'cookie-keys', async () => [randomBytes(32).toString('base64url')]);
}

export async function loadPairwiseSalt(store: Store, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return loadOrCreate(store, 'pairwise-salt', async () => randomBytes(32).toString('base64url'));
}
