// The answer to a sign-in form's request limit (ERR_RATE_LIMITED from src/broker/password-limits.ts): the
// failure page in the shopper's language, with "back to the shop" when the interaction is this browser's.
// The limits run before a route's steps, so this error middleware runs the steps it needs itself.

import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.ts';
import { sendFailure } from './failure-page.ts';
import type { LoginContext } from './login-context.ts';
import { chooseLocale, loadInteraction, loadPartner } from './sign-in-steps.ts';
import { failureContextOf, runSteps, signInOf } from './steps.ts';

export function rateLimitedPage(ctx: LoginContext) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof GatewayError) || err.code !== 'ERR_RATE_LIMITED') return next(err);
    const s = signInOf(req, res);
    // Not this browser's interaction (or gone): the page without the shop.
    await runSteps(ctx, req, res, s, loadInteraction, loadPartner, chooseLocale).catch(() => undefined);
    await sendFailure(ctx, res, err, failureContextOf(ctx, res, s));
  };
}
