// Native replacements for a held sign-in (a PendingLogin of this browser's interaction, on the notice or
// migration page): `/interaction/<uid>/add/phone` adds a phone number proven by a texted code, and
// `/interaction/<uid>/add/password` sets an email proven by a mailed six-digit code (the shopper stays in
// the tab) and then a password. Each route lists its guards as named steps (sign-in-steps.ts: the held
// sign-in, the partner accepting that method now); the handler sets the method up on the
// held account, releases the hold and finishes the sign-in as that same account (same `sub`), resuming
// the authorization in the same response, as linking an upstream replacement does (callback-route.ts).

import type { Interaction } from 'oidc-provider';
import express, { type Request, type Response, type Router } from 'express';
import type { Locale } from '../../providers/contract.ts';
import { GatewayError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { requestIdOf } from '../log.ts';
import { clientIpKey } from '../http/client-ip.ts';
import type { Account } from '../accounts/account.ts';
import { chargeAttempt, verifyMailCharges } from '../accounts/brute-force.ts';
import { setPassword, verifiedEmail, type NativeDeps, type NativeProblem } from '../accounts/native-credentials.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { sendPhoneCode, setPhone, type PhoneDeps } from '../accounts/phone-credentials.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import { CODE_TTL_MS, type CodeBook } from '../accounts/verification-codes.ts';
import { dispatch } from '../mail/mailer.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import { sendFailure } from './failure-page.ts';
import { finishLogin } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { createdBy, releaseLogin, type PendingLogin } from './pending-login.ts';
import { refused, sendPhoneCodePage, type PageState } from './phone-code-page.ts';
import { shopHeader } from '../http/shop-header.ts';
import { chooseLocale, loadHeldSignIn, loadInteraction, requireReplacement } from './sign-in-steps.ts';
import { refusals, type SignInState, stepRunner } from './steps.ts';
import { recordSignIn } from './record-sign-in.ts';

interface Held {
  pending: PendingLogin;
  interaction: Interaction;
  partner: Partner;
  account: Account;
  locale: Locale;
}

export function addMethodRoutes(ctx: LoginContext, o: { phone: PhoneDeps | undefined; native: NativeDeps; codes: CodeBook }): Router {
  const router = express.Router();

  const steps = stepRunner(ctx);
  /** The held sign-in of this browser's interaction, at a partner accepting `method` now. */
  const heldFor = (method: string) => steps(loadInteraction, loadHeldSignIn, chooseLocale, requireReplacement(method));
  const held = (res: Response): Held => {
    const s = res.locals.signIn as SignInState;
    return { ...s.held!, interaction: s.interaction!, partner: s.partner!, locale: s.locale };
  };

  /** The method is set up on the held account: continue to the shop as that account. */
  async function finish(req: Request, res: Response, h: Held, method: string): Promise<void> {
    ctx.log.info({ reqId: requestIdOf(res), method, partner: h.partner.id, account: h.account.id, replaced: h.pending.provider }, 'added a native replacement');
    await releaseLogin(ctx.store, h.pending.interactionUid);
    const returnTo = (await finishLogin(ctx.oidc(), h.interaction, h.partner.firstParty, h.account.id, method, req))?.returnTo;
    const via = h.pending.kind === 'migrate' ? 'migration' : 'notice';
    recordSignIn(
      ctx,
      res.locals.signIn as SignInState,
      returnTo
        ? { outcome: 'success', method, account: h.account.id, via, replaced: h.pending.provider, ...createdBy(h.pending) }
        : { outcome: 'error', method },
    );
    if (!returnTo) {
      return sendFailure(ctx, res, new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired', { status: 400 }), {
        locale: h.locale,
        requestId: requestIdOf(res),
      });
    }
    ctx.resume(req, res, returnTo);
  }

  const back = (h: Held) => ({ href: `/interaction/${h.pending.interactionUid}/${h.pending.kind}`, label: translator(h.locale)('add.backToChoices') });
  const resendIn = (resendAt: number) => Math.max(0, Math.ceil((resendAt - ctx.clock.now()) / 1000));

  // ---- phone number ----
  const phone = o.phone;
  if (phone) {
    const subject = (h: Held) => `held:${h.pending.interactionUid}:${h.account.id}`;

    function phonePage(res: Response, h: Held, state: PageState = {}, status = 200): Promise<void> {
      const t = translator(h.locale);
      const shop = partnerName(h.partner, h.locale);
      const page = {
        header: shopHeader(h.partner, h.locale, h.interaction.params.redirect_uri),
        title: t('phone.title.addHeld', { shop }),
        lead: t('add.lead', { shop }),
        shop,
        base: `/interaction/${h.pending.interactionUid}/add/phone`,
        verifyLabel: t('add.finish'),
        back: back(h),
        csrf: ctx.csrf.token(res),
      };
      return sendPhoneCodePage({ ...ctx, codes: o.codes }, res, h.locale, subject(h), page, state, status);
    }

    router.get('/interaction/:uid/add/phone', heldFor(PHONE_METHOD), async (req, res) => {
      const h = held(res);
      // Already has a number: it signs in here as it is (the chooser's phone form).
      if (h.account.phone) return res.redirect(303, `/interaction/${h.pending.interactionUid}?chooser=1`);
      await phonePage(res, h, req.query.change !== undefined ? { step: 'number' } : {});
    });

    router.post('/interaction/:uid/add/phone/send', ...ctx.csrf.protect, heldFor(PHONE_METHOD), async (req, res) => {
      const h = held(res);
      const typed = typeof req.body?.phone === 'string' ? req.body.phone.slice(0, 32) : '';
      const r = await sendPhoneCode(phone, subject(h), typed, clientIpKey(req), h.locale);
      if (r.ok) return res.redirect(303, `/interaction/${h.pending.interactionUid}/add/phone`);
      const { state, status } = await refused(h.locale, r.problem, { ...r, typed });
      await phonePage(res, h, state, status);
    });

    router.post('/interaction/:uid/add/phone/verify', ...ctx.csrf.protect, heldFor(PHONE_METHOD), async (req, res) => {
      const h = held(res);
      const checked = await phone.codes.check(subject(h), req.body?.code);
      const set = checked.ok ? await setPhone(ctx.store, ctx.clock, h.account.id, checked.target) : checked;
      if (!set.ok) {
        const { state, status } = await refused(h.locale, set.problem);
        return phonePage(res, h, state, status);
      }
      await finish(req, res, h, PHONE_METHOD);
    });
  }

  // ---- email and password ----
  const native = o.native;
  const mailSubject = (h: Held) => `held-mail:${h.pending.interactionUid}:${h.account.id}`;
  const verifiedAddress = (a: Account) => (a.native?.email && a.native.emailVerifiedAt !== undefined ? a.native.email : undefined);

  async function passwordPage(req: Request, res: Response, h: Held, locals: Record<string, unknown>, status = 200): Promise<void> {
    const t = translator(h.locale);
    const pending = await o.codes.pending(mailSubject(h));
    const verified = verifiedAddress(h.account);
    const step = verified ? 'password' : pending && req.query.change === undefined ? 'code' : 'email';
    const shop = partnerName(h.partner, h.locale);
    res
      .status(status)
      .type('html')
      .send(
        await ctx.renderer.render(
          'add-password',
          { locale: h.locale, requestId: requestIdOf(res), shop: shopHeader(h.partner, h.locale, h.interaction.params.redirect_uri) },
          {
            title: t('addPassword.title', { shop }),
            lead: t('add.lead', { shop }),
            error: undefined,
            step,
            target: verified ?? pending?.target ?? '',
            emailValue: '',
            resendIn: pending ? resendIn(pending.resendAt) : 0,
            minutes: CODE_TTL_MS / 60_000,
            base: `/interaction/${h.pending.interactionUid}/add/password`,
            back: back(h),
            csrf: ctx.csrf.token(res),
            ...locals,
          },
        ),
      );
  }

  const refuse = (
    req: Request,
    res: Response,
    h: Held,
    problem: NativeProblem | 'codeWrong' | 'codeExpired' | 'codeWait',
    locals: Record<string, unknown> = {},
  ) => {
    const t = translator(h.locale);
    const text =
      problem === 'codeWrong' || problem === 'codeExpired'
        ? t(`phone.problem.${problem}`)
        : problem === 'codeWait'
          ? t('phone.problem.phoneWait', { s: 60 })
          : t(`native.problem.${problem}`);
    const status = { emailTaken: 409, mailLimited: 429, mailFailed: 503, busy: 503, codeWrong: 401, codeWait: 429 }[problem as string] ?? 400;
    return passwordPage(req, res, h, { error: text, ...locals }, status);
  };

  router.get('/interaction/:uid/add/password', heldFor(PASSWORD_METHOD), async (req, res) => {
    const h = held(res);
    // Already has a password: it signs in here as it is (the chooser's password form).
    if (h.account.native?.passwordHash) return res.redirect(303, `/interaction/${h.pending.interactionUid}?chooser=1`);
    await passwordPage(req, res, h, {});
  });

  router.post('/interaction/:uid/add/password/send', ...ctx.csrf.protect, heldFor(PASSWORD_METHOD), async (req, res) => {
    const h = held(res);
    const email = normaliseEmail(typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '');
    if (!validEmail(email)) return refuse(req, res, h, 'emailInvalid', { step: 'email', emailValue: email });
    // Whether another account has the address is said only to its mailbox's owner, once the code is typed.
    if (!(await chargeAttempt(ctx.store, ctx.clock, verifyMailCharges(h.account.id))).allowed) return refuse(req, res, h, 'mailLimited', { step: 'email' });
    const issued = await o.codes.issue(mailSubject(h), email);
    if (!issued.ok) return refuse(req, res, h, 'codeWait');
    const t = translator(h.locale);
    await dispatch(native.mailer, {
      to: email,
      subject: t('mail.code.subject'),
      text: t('mail.code.body', { code: issued.code, minutes: CODE_TTL_MS / 60_000 }),
    });
    res.redirect(303, `/interaction/${h.pending.interactionUid}/add/password`);
  });

  router.post('/interaction/:uid/add/password/verify', ...ctx.csrf.protect, heldFor(PASSWORD_METHOD), async (req, res) => {
    const h = held(res);
    const checked = await o.codes.check(mailSubject(h), req.body?.code);
    if (!checked.ok) return refuse(req, res, h, checked.problem, checked.problem === 'codeWrong' ? {} : { step: 'email' });
    const done = await verifiedEmail(native, h.account.id, checked.target, h.locale);
    if (!done.ok) return refuse(req, res, h, done.problem, { step: 'email' });
    res.redirect(303, `/interaction/${h.pending.interactionUid}/add/password`);
  });

  // Hashes a password: limited per address like every password form (src/broker/password-limits.ts).
  router.post('/interaction/:uid/add/password/set', ctx.passwordLimits.perIp, ...ctx.csrf.protect, heldFor(PASSWORD_METHOD), async (req, res) => {
    const h = held(res);
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const r = await setPassword(native, h.account.id, password, 'set');
    if (!r.ok) return refuse(req, res, h, r.problem);
    await finish(req, res, h, PASSWORD_METHOD);
  });

  router.use('/interaction/:uid/add', refusals(ctx));
  return router;
}
