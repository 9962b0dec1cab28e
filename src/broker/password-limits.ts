// Request limits on every form that checks or sets a password, applied before anything is looked up or
// hashed (express-rate-limit, counting in the Store on the gateway clock, src/http/window-counter.ts, so every
// instance counts together):
// - per address: `perIpPerMinute` attempts a minute over all password forms together; an attempt that
//   succeeds is given back, so a carrier NAT full of shoppers who type their passwords right is not slowed;
// - per sign-in: `perSignIn` attempts for one interaction (its whole life), so one sign-in cannot spray
//   passwords over many emails.
// Past a limit: 429, Retry-After, and a page in the shopper's language (the sign-in form's keeps the ways
// back to the shop), after the refusal pause (src/http/tarpit.ts). The brute-force counters per email (src/accounts/brute-force.ts) still apply below.

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { GatewayError } from '../errors.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { WindowCounter } from '../http/window-counter.ts';
import { afterPause } from '../http/tarpit.ts';

export interface PasswordLimitSettings {
  /** Names the counters in the store (one name per pair of limiters). */
  name: string;
  perIpPerMinute: number;
  perSignIn: number;
}

/** How long a sign-in's attempts are remembered: longer than any interaction lives. */
const SIGN_IN_WINDOW_MS = 2 * 60 * 60 * 1000;

export interface PasswordLimits {
  perIp: RequestHandler;
  perSignIn: RequestHandler;
}

const passwordRateLimited = () => new GatewayError('ERR_RATE_LIMITED', 'too many password attempts', { status: 429 });

/** Seconds until the limiter's window ends (its resetTime is on the machine's clock); at least 1. */
export function retryAfterSeconds(req: Request): number {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 1;
}

/**
 * The two limiters. `refuse` answers a limited request (after Retry-After is set); by default the
 * error goes to the app's error page.
 */
export function passwordLimits(deps: { store: Store; clock: Clock }, settings: PasswordLimitSettings): PasswordLimits {
  const limiter = (name: string, windowMs: number, limit: number, key: (req: Request) => string, extra: { skipSuccessfulRequests?: boolean } = {}) => {
    const store = new WindowCounter(deps, name, windowMs);
    return rateLimit({
      windowMs,
      limit,
      store,
      keyGenerator: key,
      // The standard headers would count seconds on the machine's clock, not the gateway's.
      standardHeaders: false,
      legacyHeaders: false,
      ...extra,
      handler: (req: Request, res: Response, next: NextFunction) => {
        res.set('Retry-After', String(retryAfterSeconds(req)));
        afterPause(() => next(passwordRateLimited()));
      },
    });
  };
  return {
    perIp: limiter(`${settings.name}-ip`, 60_000, settings.perIpPerMinute, (req) => `ip:${clientIpKey(req)}`, { skipSuccessfulRequests: true }),
    perSignIn: limiter(`${settings.name}-signin`, SIGN_IN_WINDOW_MS, settings.perSignIn, (req) => `signin:${String(req.params.uid)}`),
  };
}
