// The browser-binding cookie: a random value the browser keeps for the visit. A flow stores its hash,
// and the provider's callback is accepted only from the browser that started the flow (login CSRF and
// swapped-callback defence). SameSite=Lax so the cross-site redirect back from the provider carries it.

import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

export const BINDING_COOKIE = 'dl_bind';

export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string }): void;
}

/** The binding of the browser making this express request (see ensureBinding). */
export function browserBinding(req: Request, res: Response, secure: boolean): string {
  return ensureBinding(
    {
      get: (name) => req.cookies?.[name] as string | undefined,
      set: (name, value, options) => {
        res.cookie(name, value, options);
      },
    },
    secure,
  );
}

/** The browser's binding value, created (and set on the response) when missing or malformed. */
export function ensureBinding(jar: CookieJar, secure: boolean): string {
  const existing = jar.get(BINDING_COOKIE);
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const value = randomBytes(32).toString('base64url');
  jar.set(BINDING_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  return value;
}
