// Throttles guessing of client credentials where shops authenticate (/token, /token/revocation):
// failed client authentications (oidc-provider answers them 401 `invalid_client`) are counted per
// (client, address) for a minute; past the limit that client is refused from that address before its
// credentials are checked — 429, Retry-After, `invalid_client` in OAuth's JSON shape, after the refusal
// pause (src/http/tarpit.ts) — until the minute ends. Only failures count (the counter is bumped as a 401 leaves), so a shop's many good requests
// are never refused, and a guesser elsewhere does not lock the shop's own servers out. The client is
// named by the Basic header, else by the form's `client_id` or its client assertion's `sub`; for that the
// form is read here into a Buffer, which oidc-provider then parses exactly as it would have (it prints
// a one-time notice that the body was read before it). The counters live in the Store
// (src/http/window-counter.ts): failures on every instance add up.

import express, { type NextFunction, type Request, type Response } from 'express';
import { decodeJwt } from 'jose';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { WindowCounter } from '../http/window-counter.ts';
import { afterPause } from '../http/tarpit.ts';

const CLIENT_AUTH_PATHS = new Set(['/token', '/token/revocation']);
const WINDOW_MS = 60_000;
/** oidc-provider's own body limit. */
const FORM_LIMIT = '56kb';

/** The client a token request names (unverified: only to count its failures). */
function claimedClient(req: Request): string {
  const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    try {
      return colon > 0 ? decodeURIComponent(text.slice(0, colon).replace(/\+/g, '%20')) : '';
    } catch {
      return '';
    }
  }
  if (!Buffer.isBuffer(req.body)) return '';
  const form = new URLSearchParams(req.body.toString('utf8'));
  const clientId = form.get('client_id');
  if (clientId) return clientId;
  const assertion = form.get('client_assertion');
  try {
    return assertion ? String(decodeJwt(assertion).sub ?? '') : '';
  } catch {
    return '';
  }
}

export function clientAuthThrottle(deps: { store: Store; clock: Clock; log: Logger }, failuresPerMinute: number) {
  const failures = new WindowCounter(deps, 'client-auth', WINDOW_MS);
  const form = express.raw({ type: 'application/x-www-form-urlencoded', limit: FORM_LIMIT });

  const check = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = `${claimedClient(req).slice(0, 200)}|${clientIpKey(req)}`;
    const counted = await failures.get(key);
    if (counted && counted.totalHits >= failuresPerMinute) {
      const seconds = Math.max(1, Math.ceil((counted.resetTime!.getTime() - Date.now()) / 1000));
      afterPause(() => {
        res
          .status(429)
          .set({ 'Retry-After': String(seconds), 'Cache-Control': 'no-store' })
          .json({ error: 'invalid_client', error_description: `too many failed client authentications from this address; retry in ${seconds} s` });
      });
      return;
    }
    // A 401 is counted before it leaves: the guesser learns of a failure only once it is counted, on
    // every instance, so answers cannot outrun the counter.
    const end = res.end.bind(res) as (...args: unknown[]) => unknown;
    (res as unknown as { end: (...args: unknown[]) => unknown }).end = (...args: unknown[]) => {
      if (res.statusCode !== 401) return end(...args);
      failures
        .increment(key)
        .catch((err: Error) => deps.log.warn({ err: { message: err.message } }, 'could not count a failed client authentication'))
        .finally(() => end(...args));
      return res;
    };
    next();
  };
  const checked = (req: Request, res: Response, next: NextFunction): void => {
    check(req, res, next).catch(next);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || !CLIENT_AUTH_PATHS.has(req.path)) return next();
    // The Basic header names the client (the usual case): the body stays unread for oidc-provider.
    if (/^basic\s/i.test(req.get('authorization') ?? '')) return checked(req, res, next);
    form(req, res, (err?: unknown) => (err ? next(err) : checked(req, res, next)));
  };
}
