// Key material Denglu generates once and keeps in the store: the ID token signing keys (never
// regenerated on restart), and in development the cookie keys and the pairwise salt. Production
// supplies cookie keys and salt through configuration (config/load-config.ts refuses generated ones).

import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export interface SigningKeys {
  keys: JWK[];
}

/** Reads a stored secret or creates it; two starters racing both end up with the first one's value. */
async function loadOrCreate<T>(store: Store, id: string, make: () => Promise<T>): Promise<T> {
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

export async function loadSigningKeys(store: Store): Promise<SigningKeys> {
  return loadOrCreate(store, 'signing-keys', async () => {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    jwk.kid = await calculateJwkThumbprint(jwk);
    jwk.alg = 'RS256';
    jwk.use = 'sig';
    return { keys: [jwk] };
  });
}

export async function loadCookieKeys(store: Store, configured: string[] | undefined): Promise<string[]> {
  if (configured) return configured;
  return loadOrCreate(store, 'cookie-keys', async () => [randomBytes(32).toString('base64url')]);
}

export async function loadPairwiseSalt(store: Store, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return loadOrCreate(store, 'pairwise-salt', async () => randomBytes(32).toString('base64url'));
}
