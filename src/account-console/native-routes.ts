// The native sign-in on the account console: setting an email (a verification link by mail), verifying
// it, setting or changing the password, and the reset by email for shoppers who cannot sign in. Every
// POST carries the console's CSRF token; refusals re-render the form with the reason in the shopper's
// language and change nothing. In the sandbox, /sandbox/outbox shows the mail that would have been sent.

import express, { type Request, type Response, type Router } from 'express';
import { translator, type MessageKey } from '../i18n/messages.ts';
import { accountCsrf } from './account-csrf.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { clientIp } from '../http/client-ip.ts';
import {
  checkPassword,
  confirmEmail,
  confirmPasswordReset,
  requestEmail,
  requestPasswordReset,
  resetTokenEmail,
  setPassword,
  type NativeDeps,
  type NativeProblem,
} from '../accounts/native-credentials.ts';
import { peekToken, TOKEN_TTL_MS } from '../accounts/native-tokens.ts';
import { normaliseEmail, validEmail } from '../accounts/native-rules.ts';
import { signInReturn } from './sign-in-return.ts';
import { getAccount } from '../accounts/sign-in.ts';
import { signInMethods } from '../accounts/unlink.ts';
import type { Mailer } from '../mail/mailer.ts';
import { listOutbox } from '../mail/outbox.ts';
import { naturalInstant } from '../time/natural-date.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { freshSocial, nativeSection } from './native-view.ts';
import { requestIdOf } from '../log.ts';
import { freshSignIn, signedInShopper } from './shopper-guard.ts';
import { pageLocale } from '../broker/locale.ts';
import { methodLabel } from '../i18n/method-label.ts';

/** HTTP status of each refusal. */
type Refusal = NativeProblem | 'currentRequired' | 'currentWrong' | 'currentPaused';

const STATUS: Partial<Record<Refusal, number>> = {
  emailTaken: 409,
  passwordExists: 409,
  tokenInvalid: 400,
  mailFailed: 503,
  mailLimited: 429,
  busy: 503,
  currentRequired: 403,
  currentWrong: 401,
  currentPaused: 429,
};

export function nativeRoutes(ctx: LoginContext, o: { cookieKeys: string[]; issuer: string; mailer: Mailer; sandbox: boolean }): Router {
  const router = express.Router();
  // The same token as the account console's forms (same secret, cookie and session binding).
  const csrf = accountCsrf(o.cookieKeys, ctx.secureCookies);
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const deps: NativeDeps = { store: ctx.store, clock: ctx.clock, log: ctx.log, mailer: o.mailer, issuer: o.issuer, hashes: ctx.hashes };
  const fresh = (s: SignedIn) => freshSignIn(ctx, s);
  const field = (req: Request, name: string) => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '');

  async function render(req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): Promise<void> {
    res
      .status(status)
      .type('html')
      .send(await ctx.renderer.render(view, { locale: pageLocale(req), requestId: requestIdOf(res) }, locals));
  }

  /** A one-message page (done, or a link that no longer works). */
  function message(req: Request, res: Response, title: MessageKey, text: string, status = 200, ok = status < 400): Promise<void> {
    return render(req, res, 'native-message', { title, text, ok }, status);
  }

  const signedIn = (req: Request, res: Response, recent: boolean) => signedInShopper(ctx, req, res, recent);

  /** The native section again, with the refusal and what was typed (never a password). */
  function refuse(req: Request, res: Response, s: SignedIn, problem: Refusal, emailValue?: string, params: Record<string, number> = {}): Promise<void> {
    const locale = pageLocale(req);
    const error = translator(locale)(`native.problem.${problem}`, params);
    return render(
      req,
      res,
      'account-native',
      { csrf: csrf.token(req, res), native: nativeSection(ctx, s, locale, { error, ...(emailValue ? { emailValue } : {}) }) },
      STATUS[problem] ?? 400,
    );
  }

  router.post('/account/email', form, csrf.protect, async (req, res) => {
    const s = await signedIn(req, res, true);
    if (!s) return;
    const r = await requestEmail(deps, s.account.id, field(req, 'email'), pageLocale(req));
    if (!r.ok) return refuse(req, res, s, r.problem, field(req, 'email').slice(0, 254));
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'email verification sent');
    res.redirect(303, '/account?notice=emailSent');
  });

  // The mailed link opens a confirmation (mail scanners that fetch links do not use the token up).
  // A link clicked while another account is signed in here is refused: nobody verifies their address
  // onto someone else's account by mistake. Signed out, the mailbox owner may confirm it.
  async function otherAccount(req: Request, res: Response, accountId: string): Promise<boolean> {
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    return s !== undefined && s.account.id !== accountId;
  }

  router.get('/account/email/verify', async (req, res) => {
    const token = await peekToken(ctx.store, 'email-verify', req.query.token);
    const t = translator(pageLocale(req));
    if (!token) return message(req, res, 'verify.title', t('native.problem.tokenInvalid'), 400);
    if (await otherAccount(req, res, token.accountId)) return message(req, res, 'verify.title', t('native.problem.tokenOtherAccount'), 403);
    // Signed out, the mailbox owner must see which account the address would join: its name and methods.
    const account = await getAccount(ctx.store, token.accountId);
    if (!account) return message(req, res, 'verify.title', t('native.problem.tokenInvalid'), 400);
    const locale = pageLocale(req);
    const methods = signInMethods(account).map((id) => methodLabel(ctx.descriptors, id, locale));
    await render(req, res, 'email-verify', {
      csrf: csrf.token(req, res),
      email: token.email,
      token: String(req.query.token),
      accountName: account.profile.name,
      methods: methods.join(t('list.separator')),
    });
  });

  router.post('/account/email/verify', form, csrf.protect, async (req, res) => {
    const t = translator(pageLocale(req));
    const pending = await peekToken(ctx.store, 'email-verify', field(req, 'token'));
    if (pending && (await otherAccount(req, res, pending.accountId))) return message(req, res, 'verify.title', t('native.problem.tokenOtherAccount'), 403);
    const r = await confirmEmail(deps, field(req, 'token'), pageLocale(req));
    if (!r.ok) return message(req, res, 'verify.title', t(`native.problem.${r.problem}`), STATUS[r.problem] ?? 400);
    ctx.log.info({ reqId: requestIdOf(res), account: r.accountId }, 'email verified');
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    if (s?.account.id === r.accountId) return res.redirect(303, '/account?notice=emailVerified');
    await message(req, res, 'verify.title', t('verify.done', { email: r.email }));
  });

  // Password forms are limited per address before anything is checked or hashed (password-limits.ts).
  router.post('/account/password', ctx.passwordLimits.perIp, form, csrf.protect, async (req, res) => {
    const s = await signedIn(req, res, false);
    if (!s) return;
    const password = field(req, 'password');
    if (!s.account.native?.passwordHash) {
      // The first password: a recent sign-in (and a verified email, checked with the change).
      if (!fresh(s)) return void res.redirect(303, '/account/login?reauth=1');
      const r = await setPassword(deps, s.account.id, password, 'set');
      if (!r.ok) return refuse(req, res, s, r.problem);
      ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'password set');
      return res.redirect(303, '/account?notice=passwordSet');
    }
    // A change: the current password (throttled like a sign-in), or a fresh social sign-in.
    const current = field(req, 'current');
    if (current) {
      const check = await checkPassword(ctx, s.account.native.email, current, clientIp(req), 'change');
      // Locked: checking the current password is paused, and for how long (not "wrong": it may be right).
      if (!check.ok && check.pausedUntil !== undefined)
        return refuse(req, res, s, 'currentPaused', undefined, { minutes: Math.max(1, Math.ceil((check.pausedUntil - ctx.clock.now()) / 60_000)) });
      if (!check.ok || check.account.id !== s.account.id) return refuse(req, res, s, 'currentWrong');
    } else if (!freshSocial(ctx, s)) {
      return refuse(req, res, s, 'currentRequired');
    }
    const r = await setPassword(deps, s.account.id, password, 'change', s.sessionUid);
    if (!r.ok) return refuse(req, res, s, r.problem);
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'password changed');
    res.redirect(303, '/account?notice=passwordChanged');
  });

  // "Forgot password?" from a chooser carries that sign-in (`return=/interaction/<uid>`) and the email typed.
  router.get('/account/password/reset', async (req, res) => {
    const returnTo = signInReturn(req.query.return);
    const email = normaliseEmail(req.query.email);
    await render(req, res, 'password-reset', { csrf: csrf.token(req, res), sent: undefined, returnTo, email: validEmail(email) ? email : '' });
  });

  // The same answer whether or not the address belongs to an account.
  router.post('/account/password/reset', form, csrf.protect, async (req, res) => {
    const returnTo = signInReturn(field(req, 'return'));
    const email = field(req, 'email').slice(0, 254);
    await requestPasswordReset(deps, email, pageLocale(req), returnTo);
    const t = translator(pageLocale(req));
    await render(req, res, 'password-reset', {
      csrf: csrf.token(req, res),
      sent: t('reset.sent', { minutes: TOKEN_TTL_MS['password-reset'] / 60_000 }),
      returnTo,
      email: '',
    });
  });

  router.get('/account/password/reset/confirm', async (req, res) => {
    const email = await resetTokenEmail(ctx.store, req.query.token);
    const t = translator(pageLocale(req));
    if (!email) return message(req, res, 'reset.title', t('native.problem.tokenInvalid'), 400);
    await render(req, res, 'password-reset-confirm', { csrf: csrf.token(req, res), email, token: String(req.query.token), error: undefined });
  });

  router.post('/account/password/reset/confirm', ctx.passwordLimits.perIp, form, csrf.protect, async (req, res) => {
    const t = translator(pageLocale(req));
    const token = field(req, 'token');
    const r = await confirmPasswordReset(deps, token, field(req, 'password'));
    if (r.ok) {
      ctx.log.info({ reqId: requestIdOf(res), account: r.accountId }, 'password reset; sessions revoked');
      // Back to the sign-in the shopper left for "Forgot password?", the email filled in.
      if (r.returnTo) return res.redirect(303, `${r.returnTo}?chooser=1&email=${encodeURIComponent(r.email)}`);
      return message(req, res, 'reset.title', t('reset.done'));
    }
    if (r.problem === 'tokenInvalid') return message(req, res, 'reset.title', t('native.problem.tokenInvalid'), 400);
    // A password the rules refuse: the same form again, the link still good.
    const email = (await resetTokenEmail(ctx.store, token)) ?? '';
    await render(req, res, 'password-reset-confirm', { csrf: csrf.token(req, res), email, token, error: t(`native.problem.${r.problem}`) }, 400);
  });

  if (o.sandbox) {
    router.get('/sandbox/outbox', async (req, res) => {
      const locale = pageLocale(req);
      const messages = (await listOutbox(ctx.store)).map((m) => ({
        sms: m.kind === 'sms',
        to: m.to,
        subject: m.subject,
        text: m.text,
        at: naturalInstant(m.at, 'Asia/Shanghai', locale),
        links: [...m.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0]),
      }));
      await render(req, res, 'outbox', { messages, transport: o.mailer.transport });
    });
  }

  return router;
}
