// The phone number on the account console: adding or replacing it (a code texted to the new number,
// typed back on /account/phone) and removing it (never the account's only way to sign in; sign-ins
// obtained with it end). Every change needs a recent sign-in and the console's CSRF token; refusals say
// why and change nothing. The code is bound to the account (its subject), so it adds the number only there.

import express, { type Request, type Response, type Router } from 'express';
import type { Locale } from '../../providers/contract.ts';
import { pickLocale } from '../i18n/locale.ts';
import { translator } from '../i18n/messages.ts';
import { createCsrf } from '../http/csrf.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { requestIdOf } from '../log.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { pauseFor, STATUS } from '../broker/phone-route.ts';
import { removePhone, sendPhoneCode, setPhone, type PhoneDeps } from '../accounts/phone-credentials.ts';
import { displayPhone } from '../accounts/phone-number.ts';
import { CODE_TTL_MS } from '../accounts/verification-codes.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { nativeSection } from './native-view.ts';

export function phoneAccountRoutes(ctx: LoginContext, o: { phone: PhoneDeps | undefined; cookieKeys: string[] }): Router {
  const router = express.Router();
  const phone = o.phone;
  if (!phone) return router;
  // The same token as the account console's forms (same secret, cookie and session binding).
  const csrf = createCsrf({
    cookieKeys: o.cookieKeys,
    purpose: 'account',
    secure: ctx.secureCookies,
    sessionId: (req) => String(req.cookies?.dl_session ?? ''),
  });
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const localeOf = (req: Request): Locale => pickLocale({ acceptLanguage: req.get('accept-language'), uiLocales: req.query.ui_locales });
  const subject = (s: SignedIn) => `account:${s.account.id}`;

  /** The shopper, signed in within ACCOUNT_REAUTH_SECONDS; otherwise off to sign in (again). */
  async function recent(req: Request, res: Response): Promise<SignedIn | undefined> {
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    if (s && s.loginAt !== undefined && ctx.clock.now() - s.loginAt <= ctx.reauthAfterMs) return s;
    res.redirect(303, s ? '/account/login?reauth=1' : '/account/login');
    return undefined;
  }

  async function page(req: Request, res: Response, s: SignedIn, locals: Record<string, unknown>, status = 200): Promise<void> {
    const locale = localeOf(req);
    const t = translator(locale);
    const pending = await phone!.codes.pending(subject(s));
    res
      .status(status)
      .type('html')
      .send(
        await ctx.renderer.render(
          'phone-code',
          { locale, requestId: requestIdOf(res) },
          {
            title: s.account.phone ? t('account.phone.replace') : t('account.phone.add'),
            lead: t('account.phone.lead'),
            error: undefined,
            step: pending ? 'code' : 'number',
            shop: '',
            target: pending ? displayPhone(pending.target) : '',
            phoneValue: pending?.target ?? '',
            resendIn: pending ? Math.max(0, Math.ceil((pending.resendAt - ctx.clock.now()) / 1000)) : 0,
            minutes: CODE_TTL_MS / 60_000,
            sendAction: '/account/phone/send',
            verifyAction: '/account/phone/verify',
            verifyLabel: t('account.phone.confirm'),
            changeHref: '/account/phone?change=1',
            back: { href: '/account', label: t('account.native.back') },
            abortAction: undefined,
            csrf: csrf.token(req, res),
            ...locals,
          },
        ),
      );
  }

  router.get('/account/phone', async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    await page(req, res, s, req.query.change !== undefined ? { step: 'number' } : {});
  });

  router.post('/account/phone/send', form, csrf.protect, async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    const typed = typeof req.body?.phone === 'string' ? req.body.phone.slice(0, 32) : '';
    const r = await sendPhoneCode(phone, subject(s), typed, clientIpKey(req), localeOf(req));
    if (r.ok) return res.redirect(303, '/account/phone');
    await pauseFor(r.problem);
    const error = translator(localeOf(req))(`phone.problem.${r.problem}`, { s: r.retryAfterSeconds ?? 60 });
    await page(req, res, s, r.problem === 'phoneWait' ? { error } : { step: 'number', error, phoneValue: typed }, STATUS[r.problem] ?? 400);
  });

  router.post('/account/phone/verify', form, csrf.protect, async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    const t = translator(localeOf(req));
    const checked = await phone.codes.check(subject(s), req.body?.code);
    if (!checked.ok)
      return page(
        req,
        res,
        s,
        { step: checked.problem === 'codeWrong' ? 'code' : 'number', error: t(`phone.problem.${checked.problem}`) },
        STATUS[checked.problem],
      );
    const set = await setPhone(ctx.store, ctx.clock, s.account.id, checked.target);
    if (!set.ok) return page(req, res, s, { step: 'number', error: t(`phone.problem.${set.problem}`) }, STATUS[set.problem] ?? 409);
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'phone number set');
    res.redirect(303, '/account?notice=phoneSet');
  });

  router.post('/account/phone/remove', form, csrf.protect, async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    const r = await removePhone(ctx.store, ctx.clock, s.account.id, s.sessionUid);
    if (r.ok) {
      ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'phone number removed');
      return res.redirect(303, '/account?notice=phoneRemoved');
    }
    const locale = localeOf(req);
    const error = translator(locale)(`phone.problem.${r.problem}`);
    res
      .status(409)
      .type('html')
      .send(
        await ctx.renderer.render(
          'account-native',
          { locale, requestId: requestIdOf(res) },
          { csrf: csrf.token(req, res), native: nativeSection(ctx, s, locale, { error }) },
        ),
      );
  });

  return router;
}
