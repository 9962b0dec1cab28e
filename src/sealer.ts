// Text kept encrypted at rest: sealed as a compact JWE (direct A256GCM, jose) under a key derived from the
// cookie keys and a purpose (so one purpose's ciphertext never opens under another's key). Sealing uses
// the newest key; opening tries each key, newest first, and says whether an older one was needed, so a
// caller can seal again under the newest key before the old one is rotated away. `keyId` names the newest
// key without revealing it (a SHA-256 of the derived key), so work done under one key can be recognised.

import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

export interface Opened {
  text: string;
  /** Opened with an older cookie key than the newest: seal it again to keep it past the rotation. */
  stale: boolean;
}

export interface Sealer {
  /** A one-way fingerprint of the newest key (the one `seal` uses): changes when the newest cookie key does. */
  readonly keyId: string;
  seal(text: string): Promise<string>;
  /** The text, or undefined when no key opens it (keys rotated away, or not a sealed text). */
  open(sealed: string): Promise<Opened | undefined>;
}

/** A sealer for one purpose (`upstream-token`, `webhook-secret`) under the cookie keys, newest first. */
export function sealer(cookieKeys: readonly string[], purpose: string): Sealer {
  const keys = cookieKeys.map((k) => createHash('sha256').update(`${purpose}:${k}`).digest());
  return {
    keyId: createHash('sha256').update('key-id:').update(keys[0]!).digest('hex').slice(0, 16),
    async seal(text) {
      return new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(keys[0]!);
    },
    async open(sealed) {
      for (const [i, key] of keys.entries()) {
        try {
          return { text: new TextDecoder().decode((await compactDecrypt(sealed, key)).plaintext), stale: i > 0 };
        } catch {
          // try the next (older) key
        }
      }
      return undefined;
    },
  };
}
