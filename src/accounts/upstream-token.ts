// Upstream access tokens are kept only so that unlinking can revoke the grant at the provider (Weibo
// revokeoauth2). They are stored encrypted (JWE, direct A256GCM, key derived from the cookie keys) and
// never logged; a token that cannot be decrypted (keys rotated away) is simply not revoked.

import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

export interface TokenSealer {
  seal(token: string): Promise<string>;
  open(sealed: string): Promise<string | undefined>;
}

export function tokenSealer(cookieKeys: readonly string[]): TokenSealer {
  const keys = cookieKeys.map((k) => createHash('sha256').update(`upstream-token:${k}`).digest());
  return {
    async seal(token) {
      return new CompactEncrypt(new TextEncoder().encode(token)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(keys[0]!);
    },
    async open(sealed) {
      for (const key of keys) {
        try {
          return new TextDecoder().decode((await compactDecrypt(sealed, key)).plaintext);
        } catch {
          // try the next (older) key
        }
      }
      return undefined;
    },
  };
}
