// Collision-free upstream ids for emulator test users. A provider's id space is split in two: generated
// test users (`user00042`, see generatedUsers) take the lower part through a permutation of their user
// number, n ↦ (a·n + b) mod N with a coprime to N, which is a bijection, so distinct user numbers always
// get distinct ids however many are generated; any other login (the demo users, a name typed on the
// authorize page) is hashed into the upper part, so it can never take a generated user's id. Hashing
// every login into one space (the old stableDigits ids) made two of a few hundred thousand users one
// upstream account.

import { stableHex } from './test-users.ts';

/** An id space: ids 0 … size-1, of which 0 … numbered-1 belong to generated users. */
export interface IdSpace {
  size: bigint;
  numbered: bigint;
}

/** The number of a generated test user (`user00042` → 42; `user42` is the same user), or undefined. */
export function testUserNumber(login: string): bigint | undefined {
  const m = /^user(\d{1,30})$/.exec(login);
  return m ? BigInt(m[1]!) : undefined;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const hashNumber = (...parts: string[]): bigint => BigInt(`0x${stableHex(...parts)}`);

/** The permutation's multiplier and offset for one key (a provider, or a provider and app). */
const permutations = new Map<string, { a: bigint; b: bigint }>();

export function permutationOf(space: IdSpace, key: string): { a: bigint; b: bigint } {
  const memoKey = `${space.numbered}\u0000${key}`;
  let p = permutations.get(memoKey);
  if (!p) {
    // A large multiplier (at least half the range) scatters consecutive users over the whole range.
    let a = space.numbered / 2n + (hashNumber(key, 'multiplier') % (space.numbered / 2n));
    while (gcd(a, space.numbered) !== 1n) a += 1n;
    p = { a, b: hashNumber(key, 'offset') % space.numbered };
    permutations.set(memoKey, p);
  }
  return p;
}

/** The index of `login` in `space`: a bijection of the user number for generated users, a hash otherwise. */
export function testUserIndex(space: IdSpace, key: string, login: string): bigint {
  const n = testUserNumber(login);
  if (n !== undefined && n < space.numbered) {
    const { a, b } = permutationOf(space, key);
    return (a * n + b) % space.numbered;
  }
  return space.numbered + (hashNumber(key, login) % (space.size - space.numbered));
}

/** Decimal ids of `digits` digits, first digit non-zero; generated users get the ids starting 1 … 8. */
export function decimalSpace(digits: number): IdSpace & { min: bigint } {
  const min = 10n ** BigInt(digits - 1);
  return { min, size: 9n * min, numbered: 8n * min };
}

/** A decimal id of `digits` digits (e.g. a Weibo uid, a Sohu user id). */
export function testUserDigits(digits: number, key: string, login: string): string {
  const space = decimalSpace(digits);
  return String(space.min + testUserIndex(space, key, login));
}

/** `hexDigits` uppercase hex digits (e.g. a QQ openid); generated users get the ids starting 0 … 7. */
export function hexSpace(hexDigits: number): IdSpace {
  const size = 16n ** BigInt(hexDigits);
  return { size, numbered: size / 2n };
}

export function testUserHex(hexDigits: number, key: string, login: string): string {
  return testUserIndex(hexSpace(hexDigits), key, login).toString(16).toUpperCase().padStart(hexDigits, '0');
}
