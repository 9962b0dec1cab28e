// `POST /interaction/<uid>/password`: signing in with the native email + password from the chooser. The
// form is bound to the interaction: only the browser holding this interaction's cookie (scoped to its
// path, SameSite=Lax) gets past `interactionDetails`, and the form carries a CSRF token. Attempts are limited
// per address and per sign-in before anything else (src/broker/password-limits.ts: 429 and a page with
// the ways back to the shop). Every refusal of the password itself — unknown email, no password, wrong
// password, or the hash queue full — re-renders the chooser with the same message and status; a locked
// email re-renders it saying that password sign-in is paused and for how many minutes (429).
// A success continues like a provider's sign-in with `amr: ["pwd"]`: the notice interstitial when
// `password` is ending here, the migration page when it is in grace, the shop otherwise.

import type { Interaction } from 'oidc-provider';
import express, { type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { checkPassword, recordPasswordUse } from '../accounts/native-credentials.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { loginAvailability } from '../partners/availability.ts';
import { sendFailure } from './failure-page.ts';
import { failureContext } from './failure-context.ts';
import { sendChooser } from './chooser-page.ts';
import { localeFor } from './locale.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import { rateLimitedPage } from './rate-limited-page.ts';
import { requestIdOf } from '../log.ts';
import { clientIp } from '../http/client-ip.ts';

export function passwordSignInRoute(ctx: LoginContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  router.post('/interaction/:uid/password', ctx.passwordLimits.perIp, ctx.passwordLimits.perSignIn, form, ...ctx.csrf.protect, async (req, res) => {
    let d: Interaction | undefined;
    try {
      d = await ctx.oidc().interactionDetails(req, res);
    } catch {
      d = undefined;
    }
    const partner = d && d.uid === req.params.uid && d.prompt.name === 'login' ? await partnerOfClient(ctx.store, String(d.params.client_id)) : undefined;
    if (!d || !partner) {
      return sendFailure(ctx, res, new GatewayError('ERR_INTERACTION_LOST', 'interaction not found for this browser', { status: 400 }), {
        locale: localeFor(req, undefined),
        requestId: requestIdOf(res),
      });
    }
    const locale = localeFor(req, d.params, partner);
    const now = ctx.clock.now();
    const availability = loginAvailability(partner, PASSWORD_METHOD, ctx.broker.configured(), now);
    const grace = !availability.ok && availability.reason === 'grace';
    if (!availability.ok && !grace) {
      const err = new GatewayError('ERR_PROVIDER_UNAVAILABLE', `password sign-in is ${availability.reason} at ${partner.id}`, { status: 403 });
      return sendFailure(ctx, res, err, failureContext(ctx, res, partner, d.uid, locale, PASSWORD_METHOD));
    }
    const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const result = await checkPassword(ctx, email, password, clientIp(req), 'sign-in');
    if (!result.ok) {
      ctx.log.info({ reqId: requestIdOf(res), partner: partner.id, paused: result.pausedUntil !== undefined }, 'password sign-in refused');
      // Locked: sign-in with this email is paused, and for how long (not "wrong password": it may be right).
      const error =
        result.pausedUntil === undefined
          ? translator(locale)('native.wrong')
          : translator(locale)('native.paused', { minutes: Math.max(1, Math.ceil((result.pausedUntil - now) / 60_000)) });
      return sendChooser(ctx, res, d, partner, locale, { email, error, status: result.pausedUntil === undefined ? 401 : 429 });
    }
    const { account } = result;
    await recordPasswordUse(ctx.store, ctx.clock, account, partner.id);
    ctx.log.info({ reqId: requestIdOf(res), partner: partner.id, account: account.id }, 'signed in with password');
    // Grace: "used a password before?" proves who the shopper is and holds the sign-in for a replacement.
    const next = await continueSignIn(ctx, { interaction: d, partner, account, provider: PASSWORD_METHOD });
    if (next.kind === 'lost')
      return sendFailure(
        ctx,
        res,
        new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired', { status: 400 }),
        failureContext(ctx, res, partner, d.uid, locale),
      );
    const returnTo = next.kind === 'held' ? next.url : next.returnTo;
    res.redirect(303, returnTo);
  });

  // Over a request limit: the failure page, with "back to the shop" when the interaction is this browser's.
  router.use('/interaction/:uid/password', rateLimitedPage(ctx));

  return router;
}
