// Per-IP rate limit of the admin API (express-rate-limit, counting in the Store so every instance
// counts together: src/http/window-counter.ts): N requests per minute, then 429 with Retry-After and the
// admin error shape. Failed authentications count like any request, so guessing tokens is throttled too.

import { rateLimit } from 'express-rate-limit';
import type { Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import { WindowCounter } from '../http/window-counter.ts';
import type { Store } from '../store/store.ts';
import { sendError } from './http-errors.ts';
import { apiLocale, errorText } from './problem-text.ts';

export function adminRateLimit(deps: { store: Store; clock: Clock }, perMinute: number) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store: new WindowCounter(deps, 'admin-api', 60_000),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req: Request, res: Response) => {
      const retry = res.getHeader('retry-after');
      const refusal = { code: 'ERR_RATE_LIMITED' as const, message: `too many admin API requests from this address; retry in ${retry ?? 60} s` };
      sendError(res, 429, { error: refusal.code, message: errorText(refusal, apiLocale(req.get('accept-language'))) });
    },
  });
}
