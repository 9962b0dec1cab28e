// Test users of an emulated provider, and deterministic values derived from names so that a typed-in
// user gets the same profile every time. Upstream ids come from test-user-ids.ts (collision-free).

import { createHash } from 'node:crypto';

export interface TestUser {
  /** What the tester picks or types on the authorize page. */
  login: string;
  /** Display name the provider reports. */
  name: string;
  /** Optional provider-specific fields (gender, location, …). */
  extra?: Record<string, string>;
}

/** A stable hex digest of the parts (for openids, uids, unionids). */
export function stableHex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** Ids already derived: every token and token-info answer asks for the same user's uid again. */
const digitsMemo = new Map<string, string>();
const DIGITS_MEMO_MAX = 100_000;

/**
 * A stable decimal number of `digits` digits (first digit non-zero) hashed from the parts, for profile
 * values such as follower counts. Not for ids: hashes collide (ids come from test-user-ids.ts).
 */
export function stableDigits(digits: number, ...parts: string[]): string {
  const key = `${digits}\u0000${parts.join('\u0000')}`;
  const known = digitsMemo.get(key);
  if (known !== undefined) return known;
  const hex = stableHex(...parts);
  let n = BigInt('0x' + hex.slice(0, 24));
  const min = 10n ** BigInt(digits - 1);
  n = min + (n % (9n * min));
  const id = n.toString();
  if (digitsMemo.size >= DIGITS_MEMO_MAX) digitsMemo.clear();
  digitsMemo.set(key, id);
  return id;
}

/** Users generated for load: `user00001` … in a fixed order. */
export function generatedUsers(count: number, prefix = 'user'): TestUser[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const login = `${prefix}${String(i + 1).padStart(width, '0')}`;
    return { login, name: login };
  });
}

/**
 * The login an auto-approving emulator signs in as: a fixed login, or `@random:N` for a uniformly
 * random one of `generatedUsers(N)` (the benchmark spreads logins over pre-generated accounts).
 */
export function resolveAutoApprove(value: string): string {
  const m = /^@random:(\d+)$/.exec(value);
  if (!m) return value;
  const count = Number(m[1]);
  const width = Math.max(5, String(count).length);
  return `user${String(1 + Math.floor(Math.random() * count)).padStart(width, '0')}`;
}
