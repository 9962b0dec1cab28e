// Password hashing with node:crypto scrypt (memory-hard, no native dependency). Parameters: N=2^15, r=8,
// p=1 — 32 MiB of memory and about 100 ms per hash on the project's 2-core machines (measured 108 ms) —
// a 16-byte random salt and a 32-byte key, encoded `scrypt$N$r$p$salt$hash` (salt and hash base64url) so
// the parameters can be raised later: verification reads them from the stored hash, and `needsRehash`
// says when a hash should be upgraded at the next successful sign-in. Comparison is timingSafeEqual.

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Stored hashes naming more than this are refused (a corrupted or hostile hash cannot exhaust memory). */
const LIMITS = { N: 2 ** 20, r: 32, p: 16 };

function scrypt(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; maxmem is set just above it.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scryptCb(normalise(password), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Passwords are compared after Unicode NFKC normalisation (a password typed on another keyboard still matches). */
export function normalise(password: string): string {
  return password.normalize('NFKC');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(encoded: string): Parsed | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,8}$/.test(x!) ? Number(x) : NaN)) as [number, number, number];
  if (!(N >= 2 && N <= LIMITS.N && (N & (N - 1)) === 0) || !(r >= 1 && r <= LIMITS.r) || !(p >= 1 && p <= LIMITS.p)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || key.length !== KEY_BYTES) return undefined;
  return { N, r, p, salt, key };
}

/** Does `password` match `encoded`? A malformed hash never matches (after the same work as a real one). */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) {
    await verifyPassword(await dummyHash(), password);
    return false;
  }
  const key = await scrypt(password, parsed.salt, parsed);
  return timingSafeEqual(key, parsed.key);
}

/** The stored hash uses other parameters than today's: rehash after the next successful check. */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  return !parsed || parsed.N !== SCRYPT_PARAMS.N || parsed.r !== SCRYPT_PARAMS.r || parsed.p !== SCRYPT_PARAMS.p;
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random password, checked against when there is no real one (unknown email: same work).
 * Made once per process; the gateway makes it at start, so no sign-in pays for two hashes.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
}
