// The answer to a sign-in form's request limit (ERR_RATE_LIMITED from src/broker/password-limits.ts): the
// failure page in the shopper's language, with "back to the shop" when the interaction is this browser's.

import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.ts';
import { requestIdOf } from '../log.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { sendFailure } from './failure-page.ts';
import { failureContext } from './failure-context.ts';
import { localeFor } from './locale.ts';
import type { LoginContext } from './login-context.ts';

export function rateLimitedPage(ctx: LoginContext) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof GatewayError) || err.code !== 'ERR_RATE_LIMITED') return next(err);
    const d = await ctx
      .oidc()
      .interactionDetails(req, res)
      .catch(() => undefined);
    const partner = d && d.uid === req.params.uid ? await partnerOfClient(ctx.store, String(d.params.client_id)) : undefined;
    const locale = localeFor(req, d?.params, partner);
    await sendFailure(ctx, res, err, partner ? failureContext(ctx, res, partner, d!.uid, locale) : { locale, requestId: requestIdOf(res) });
  };
}
