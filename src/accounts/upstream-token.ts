// Upstream access tokens are kept only so that unlinking can revoke the grant at the provider (Weibo
// revokeoauth2). They are stored sealed (src/sealer.ts: JWE, direct A256GCM, key derived from the cookie
// keys) and never logged; a token that cannot be decrypted (keys rotated away) is simply not revoked.

import { sealer } from '../sealer.ts';

export interface TokenSealer {
  seal(token: string): Promise<string>;
  open(sealed: string): Promise<string | undefined>;
}

export function tokenSealer(cookieKeys: readonly string[]): TokenSealer {
  const sealed = sealer(cookieKeys, 'upstream-token');
  return { seal: (token) => sealed.seal(token), open: async (text) => (await sealed.open(text))?.text };
}
