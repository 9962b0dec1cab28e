// The phone number on the account console: adding or replacing it (a code texted to the new number,
// typed back on /account/phone) and removing it (always confirmed with the one removal question of
// removal-confirm.ts, as an unlink is; never the account's only way to sign in; sign-ins obtained with it
// end). Every change needs a recent sign-in and the console's CSRF token; refusals say why and change
// nothing. The code is bound to the account (its subject), so it adds the number only there.

import express, { type Request, type Response, type Router } from 'express';
import { translator } from '../i18n/messages.ts';
import { accountCsrf } from './account-csrf.ts';
import { clientIpKey } from '../http/client-ip.ts';
import { requestIdOf } from '../log.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { refused, sendPhoneCodePage, type PageState } from '../broker/phone-code-page.ts';
import { removePhone, sendPhoneCode, setPhone, type PhoneDeps } from '../accounts/phone-credentials.ts';
import { displayPhone } from '../accounts/phone-number.ts';
import { signInMethods } from '../accounts/unlink.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { removalConfirm } from './removal-confirm.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import { listPartners } from '../partners/partners.ts';
import { nativeSection } from './native-view.ts';
import { pageLocale } from '../broker/locale.ts';

export function phoneAccountRoutes(ctx: LoginContext, o: { phone: PhoneDeps | undefined; cookieKeys: string[] }): Router {
  const router = express.Router();
  const phone = o.phone;
  if (!phone) return router;
  // The same token as the account console's forms (same secret, cookie and session binding).
  const csrf = accountCsrf(o.cookieKeys, ctx.secureCookies);
  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const subject = (s: SignedIn) => `account:${s.account.id}`;

  /** The shopper, signed in within ACCOUNT_REAUTH_SECONDS; otherwise off to sign in (again). */
  async function recent(req: Request, res: Response): Promise<SignedIn | undefined> {
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    if (s && s.loginAt !== undefined && ctx.clock.now() - s.loginAt <= ctx.reauthAfterMs) return s;
    res.redirect(303, s ? '/account/login?reauth=1' : '/account/login');
    return undefined;
  }

  function page(req: Request, res: Response, s: SignedIn, state: PageState = {}, status = 200): Promise<void> {
    const t = translator(pageLocale(req));
    const page = {
      title: s.account.phone ? t('account.phone.replace') : t('account.phone.add'),
      lead: t('account.phone.lead'),
      shop: '',
      base: '/account/phone',
      verifyLabel: t('account.phone.confirm'),
      back: { href: '/account', label: t('account.native.back') },
      csrf: csrf.token(req, res),
    };
    return sendPhoneCodePage({ ...ctx, codes: phone!.codes }, res, pageLocale(req), subject(s), page, state, status);
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
    const r = await sendPhoneCode(phone, subject(s), typed, clientIpKey(req), pageLocale(req));
    if (r.ok) return res.redirect(303, '/account/phone');
    const { state, status } = await refused(pageLocale(req), r.problem, { ...r, typed });
    await page(req, res, s, state, status);
  });

  router.post('/account/phone/verify', form, csrf.protect, async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    const checked = await phone.codes.check(subject(s), req.body?.code);
    const set = checked.ok ? await setPhone(ctx.store, ctx.clock, s.account.id, checked.target, s.sessionUid) : checked;
    if (!set.ok) {
      const { state, status } = await refused(pageLocale(req), set.problem);
      return page(req, res, s, state, status);
    }
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'phone number set');
    res.redirect(303, '/account?notice=phoneSet');
  });

  // Always confirmed first, with the one removal question (removal-confirm.ts, views/unlink-confirm.ejs):
  // what stops working, the shops left unreachable, and whether it signs this session out. It posts `confirm=yes`.
  router.post('/account/phone/remove', form, csrf.protect, async (req, res) => {
    const s = await recent(req, res);
    if (!s) return;
    if (req.body?.confirm !== 'yes' && s.account.phone && signInMethods(s.account).length > 1) {
      const locale = pageLocale(req);
      const t = translator(locale);
      const phone = displayPhone(s.account.phone.number);
      const confirm = removalConfirm(
        {
          account: s.account,
          method: PHONE_METHOD,
          label: phone,
          amr: s.amr,
          action: '/account/phone/remove',
          fields: {},
          words: {
            title: t('account.phone.removeTitle'),
            what: t('account.phone.removeLead', { phone }),
            yes: t('account.phone.removeConfirm', { phone }),
            signsOut: t('account.phone.removeSignsOut'),
            yesSignOut: t('account.phone.removeSignOut'),
          },
        },
        { partners: await listPartners(ctx.store), configured: ctx.broker.configured(), now: ctx.clock.now(), locale, t },
      );
      return void res
        .type('html')
        .send(await ctx.renderer.render('unlink-confirm', { locale, requestId: requestIdOf(res) }, { csrf: csrf.token(req, res), confirm }));
    }
    const r = await removePhone(ctx.store, ctx.clock, s.account.id, s.sessionUid);
    if (r.ok) {
      ctx.log.info({ reqId: requestIdOf(res), account: s.account.id }, 'phone number removed');
      return res.redirect(303, '/account?notice=phoneRemoved');
    }
    const locale = pageLocale(req);
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
