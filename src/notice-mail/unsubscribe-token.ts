// The token in a notice mail's unsubscribe link: it lets whoever holds the mail turn notice mail off for
// that one account without signing in, and does nothing else. A JWT (jose, HS256) naming the account,
// for this one purpose (audience), valid for 400 days on the domain clock, keyed with a secret derived
// from the cookie keys (the newest signs; older ones still verify, so rotating keys does not break links
// already mailed until those keys are dropped).

import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../clock.ts';

const AUDIENCE = 'denglu:notice-mail:unsubscribe';
const VALID_SECONDS = 400 * 24 * 60 * 60;

export interface UnsubscribeTokens {
  issue(accountId: string): Promise<string>;
  /** The account the token names, or undefined when it is forged, for another purpose or expired. */
  accountOf(token: unknown): Promise<string | undefined>;
}

export function unsubscribeTokens(cookieKeys: readonly string[], clock: Clock): UnsubscribeTokens {
  const keys = cookieKeys.map((k) => createHash('sha256').update(`notice-mail-unsubscribe:${k}`).digest());
  return {
    async issue(accountId) {
      const now = Math.floor(clock.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(accountId)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + VALID_SECONDS)
        .sign(keys[0]!);
    },
    async accountOf(token) {
      if (typeof token !== 'string' || token.length > 2000) return undefined;
      for (const key of keys) {
        try {
          const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: AUDIENCE, currentDate: new Date(clock.now()) });
          if (typeof payload.sub === 'string' && payload.sub) return payload.sub;
        } catch {
          // the next (older) key, or not ours
        }
      }
      return undefined;
    },
  };
}
