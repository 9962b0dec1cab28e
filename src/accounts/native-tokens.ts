// Single-use links mailed to a shopper: verifying an email address (60 minutes) and resetting a password
// (30 minutes). The link carries 32 random bytes; the store keeps only their SHA-256, so a copy of the
// store cannot be used to click them. Issuing a new link of a purpose cancels the account's earlier
// ones, and a token names the exact account and address it was issued for.

import { createHash, randomBytes } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';

export const TOKENS_COLLECTION = 'native_tokens';

export type TokenPurpose = 'email-verify' | 'password-reset';

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  'email-verify': 60 * 60 * 1000,
  'password-reset': 30 * 60 * 1000,
};

export interface NativeToken {
  purpose: TokenPurpose;
  accountId: string;
  /** Normalised address the link was mailed to. */
  email: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
  /** A sign-in in progress (`/interaction/<uid>`) to return to once the link did its work. */
  returnTo?: string;
}

const idOf = (raw: string) => createHash('sha256').update(raw).digest('base64url');

/** Creates a token and returns the raw value for the link (never stored). */
export async function issueToken(store: Store, clock: Clock, purpose: TokenPurpose, accountId: string, email: string, returnTo?: string): Promise<string> {
  await revokeTokens(store, accountId, purpose);
  const raw = randomBytes(32).toString('base64url');
  const now = clock.now();
  const token: NativeToken = { purpose, accountId, email, createdAt: now, expiresAt: now + TOKEN_TTL_MS[purpose], ...(returnTo ? { returnTo } : {}) };
  await store.create(TOKENS_COLLECTION, idOf(raw), token, { expiresAt: token.expiresAt });
  return raw;
}

const wellFormed = (raw: unknown): raw is string => typeof raw === 'string' && /^[\w-]{43}$/.test(raw);

/** The live token of this purpose, without using it up. */
export async function peekToken(store: Store, purpose: TokenPurpose, raw: unknown): Promise<NativeToken | undefined> {
  if (!wellFormed(raw)) return undefined;
  const token = await store.get<NativeToken>(TOKENS_COLLECTION, idOf(raw));
  return token?.purpose === purpose ? token : undefined;
}

/** Uses the token up: of two takers, one gets it. */
export async function takeToken(store: Store, purpose: TokenPurpose, raw: unknown): Promise<NativeToken | undefined> {
  if (!wellFormed(raw) || !(await peekToken(store, purpose, raw))) return undefined;
  return store.take<NativeToken>(TOKENS_COLLECTION, idOf(raw));
}

/** Cancels the account's pending links (of one purpose, or all). */
export async function revokeTokens(store: Store, accountId: string, purpose?: TokenPurpose): Promise<void> {
  const docs = await store.list<NativeToken>(TOKENS_COLLECTION, { index: { name: 'account', key: accountId } });
  for (const { id, value } of docs) if (!purpose || value.purpose === purpose) await store.delete(TOKENS_COLLECTION, id);
}
