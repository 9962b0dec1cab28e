// Signing in with a phone number and a texted code from the chooser, at partners that offer `phone`:
// `POST /interaction/<uid>/phone/send` texts a code (to any well-formed number, known or not: the answer
// is "code sent" either way), `GET /interaction/<uid>/phone` asks for it, `POST …/phone/verify` checks it.
// The code is bound to this sign-in (its subject is the interaction) and only this browser holds the
// interaction. A right code for a number no account holds creates nothing: the page says so and offers
// the other ways (a shop with a method in notice or grace must not get a new, empty account silently; the
// shopper adds the number to their account on the account page). A known number continues like a
// password sign-in with `amr: ["sms"]`: the notice interstitial, the migration page in grace, the shop.
// Requests are limited per address and per sign-in before anything else; limit refusals are paused.

import express, { type Response, type Router } from 'express';
import { translator } from '../i18n/messages.ts';
import { requestIdOf } from '../log.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { findAccountByPhone, recordPhoneUse, sendPhoneCode, type PhoneDeps } from '../accounts/phone-credentials.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import { loginAvailability } from '../partners/availability.ts';
import { partnerName } from '../partners/partner.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import { passwordLimits } from './password-limits.ts';
import { rateLimitedPage } from './rate-limited-page.ts';
import { shopHeader } from '../http/shop-header.ts';
import { refused, sendPhoneCodePage, type PageState } from './phone-code-page.ts';
import { chooseLocale, loadInteraction, loadPartner, requireLoginPrompt, requireMethodOffered } from './sign-in-steps.ts';
import { lost, refusals, type SignInState, stepRunner } from './steps.ts';
import { endOf, recordSignIn } from './record-sign-in.ts';

/** Code checks and sends one address may get wrong a minute, and one sign-in may make in all. */
const PHONE_FAILURES_PER_MINUTE = 20;
const PHONE_REQUESTS_PER_SIGNIN = 30;

export function phoneSignInRoute(ctx: LoginContext, phone: PhoneDeps | undefined): Router {
  const router = express.Router();
  if (!phone) return router;
  const limits = passwordLimits(ctx, { name: 'phone', perIpPerMinute: PHONE_FAILURES_PER_MINUTE, perSignIn: PHONE_REQUESTS_PER_SIGNIN });
  const subject = (uid: string) => `signin:${uid}`;
  const steps = stepRunner(ctx);
  /** This browser's login interaction at a partner where `phone` signs in (or migrates, in grace). */
  const signIn = steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireMethodOffered(PHONE_METHOD));

  function render(res: Response, s: SignInState, state: PageState = {}, status = 200): Promise<void> {
    const t = translator(s.locale);
    const uid = s.interaction!.uid;
    const shop = partnerName(s.partner!, s.locale);
    // In grace, signing in with the number only proves who the shopper is, for the migration page.
    const grace = !loginAvailability(s.partner!, PHONE_METHOD, ctx.broker.configured(), ctx.clock.now()).ok;
    const page = {
      header: shopHeader(s.partner!, s.locale, s.interaction!.params.redirect_uri),
      title: t('phone.title.signIn', { shop }),
      ...(grace ? { lead: t('chooser.phone.migrate') } : {}),
      shop,
      base: `/interaction/${uid}/phone`,
      verifyLabel: t('native.signIn'),
      back: { href: `/interaction/${uid}?chooser=1`, label: t('phone.otherWays') },
      abortAction: `/interaction/${uid}/abort?error=access_denied`,
      csrf: ctx.csrf.token(res),
    };
    return sendPhoneCodePage({ ...ctx, codes: phone!.codes }, res, s.locale, subject(uid), page, state, status);
  }

  router.get('/interaction/:uid/phone', signIn, async (req, res) => {
    await render(res, res.locals.signIn as SignInState, req.query.change !== undefined ? { step: 'number' } : {});
  });

  router.post('/interaction/:uid/phone/send', limits.perIp, limits.perSignIn, ...ctx.csrf.protect, signIn, async (req, res) => {
    const s = res.locals.signIn as SignInState;
    const uid = s.interaction!.uid;
    const typed = typeof req.body?.phone === 'string' ? req.body.phone.slice(0, 32) : '';
    const r = await sendPhoneCode(phone, subject(uid), typed, clientIpKey(req), s.locale);
    if (r.ok) {
      ctx.log.info({ reqId: requestIdOf(res), partner: s.partner!.id }, 'sign-in code texted');
      return res.redirect(303, `/interaction/${uid}/phone`);
    }
    const { state, status } = await refused(s.locale, r.problem, { ...r, typed });
    await render(res, s, state, status);
  });

  router.post('/interaction/:uid/phone/verify', limits.perIp, limits.perSignIn, ...ctx.csrf.protect, signIn, async (req, res) => {
    const s = res.locals.signIn as SignInState;
    const partner = s.partner!;
    const checked = await phone.codes.check(subject(s.interaction!.uid), req.body?.code);
    if (!checked.ok) {
      recordSignIn(ctx, s, { outcome: 'denied', method: PHONE_METHOD, step: String(checked.problem) });
      const { state, status } = await refused(s.locale, checked.problem);
      return render(res, s, state, status);
    }
    const account = await findAccountByPhone(ctx.store, checked.target);
    if (!account) {
      ctx.log.info({ reqId: requestIdOf(res), partner: partner.id }, 'phone sign-in: no account holds the number');
      recordSignIn(ctx, s, { outcome: 'denied', method: PHONE_METHOD, step: 'no_account' });
      return render(res, s, { step: 'unknown' });
    }
    await recordPhoneUse(ctx.store, ctx.clock, account);
    ctx.log.info({ reqId: requestIdOf(res), partner: partner.id, account: account.id }, 'signed in with phone');
    // One decision for every method (continue-sign-in.ts): the migration page in grace, the notice, or the shop.
    const next = await continueSignIn(ctx, { interaction: s.interaction!, partner, account, provider: PHONE_METHOD, resumeIn: req });
    recordSignIn(ctx, s, endOf(next));
    if (next.kind === 'lost') {
      delete s.provider; // the code was right: nothing to try again
      throw lost('the interaction expired');
    }
    if (next.kind === 'held') return res.redirect(303, next.url);
    ctx.resume(req, res, next.returnTo);
  });

  router.use('/interaction/:uid/phone', rateLimitedPage(ctx), refusals(ctx));
  return router;
}
