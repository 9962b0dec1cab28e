// Random bytes for the emulators' codes and tokens, drawn from a pooled buffer refilled 4 KiB at a time:
// one call into OpenSSL per few dozen codes instead of one per code or token. The emulators share the
// benchmark's two cores with the gateway, so their cost per login is kept small.

import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` fresh random bytes (a copy: no two callers ever share bytes). */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}
