// `POST /interaction/<uid>/password`: signing in with the native email + password from the chooser. The
// form is bound to the interaction: only the browser holding this interaction's cookie (scoped to its
// path, SameSite=Lax) gets past `interactionDetails`, and the form carries a CSRF token. Attempts are limited
// per address and per sign-in before anything else (src/broker/password-limits.ts: 429 and a page with
// the ways back to the shop). Every refusal of the password itself — unknown email, no password, wrong
// password, or the hash queue full — re-renders the chooser with the same message and status; a locked
// email re-renders it saying that password sign-in is paused and for how many minutes (429).
// A success continues like a provider's sign-in with `amr: ["pwd"]`: the notice interstitial when
// `password` is ending here, the migration page when it is in grace, the shop otherwise.

import express, { type Router } from 'express';
import { translator } from '../i18n/messages.ts';
import { checkPassword, recordPasswordUse } from '../accounts/native-credentials.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { sendChooser } from './chooser-page.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import { rateLimitedPage } from './rate-limited-page.ts';
import { chooseLocale, loadInteraction, loadPartner, requireLoginPrompt, requireMethodOffered } from './sign-in-steps.ts';
import { lost, refusals, type SignInState, stepRunner } from './steps.ts';
import { requestIdOf } from '../log.ts';
import { clientIp } from '../http/client-ip.ts';
import { endOf, recordSignIn } from './record-sign-in.ts';

export function passwordSignInRoute(ctx: LoginContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const steps = stepRunner(ctx);

  router.post(
    '/interaction/:uid/password',
    ctx.passwordLimits.perIp,
    ctx.passwordLimits.perSignIn,
    form,
    ...ctx.csrf.protect,
    steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireMethodOffered(PASSWORD_METHOD)),
    async (req, res) => {
      const s = res.locals.signIn as SignInState;
      const d = s.interaction!;
      const partner = s.partner!;
      const locale = s.locale;
      const now = ctx.clock.now();
      const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      const result = await checkPassword(ctx, email, password, clientIp(req), 'sign-in');
      if (!result.ok) {
        ctx.log.info({ reqId: requestIdOf(res), partner: partner.id, paused: result.pausedUntil !== undefined }, 'password sign-in refused');
        recordSignIn(ctx, s, { outcome: 'denied', method: PASSWORD_METHOD, step: result.pausedUntil === undefined ? 'wrong' : 'paused' });
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
      recordSignIn(ctx, s, endOf(next));
      if (next.kind === 'lost') {
        delete s.provider; // the password was right: nothing to try again
        throw lost('the interaction expired');
      }
      res.redirect(303, next.kind === 'held' ? next.url : next.returnTo);
    },
  );

  // Over a request limit: the failure page, with "back to the shop" when the interaction is this browser's.
  router.use('/interaction/:uid/password', rateLimitedPage(ctx), refusals(ctx));

  return router;
}
