// Turning notice mail off and on. From the account page: a signed-in shopper's form (CSRF-protected)
// that also records the page's language as the mail's language. From the mail: the unsubscribe link
// works without signing in — its signed token (src/notice-mail/unsubscribe-token.ts) names the account;
// opening it only shows a button (mail scanners follow links), the POST turns the mail off — the page's
// button sends the token in the form, a mail client's one-click unsubscribe (RFC 8058) posts
// `List-Unsubscribe=One-Click` to the link itself, token in the query. A bad token is a clear refusal
// that changes nothing.

import express, { type Request, type Response, type Router } from 'express';
import type { Locale } from '../../providers/contract.ts';
import type { Account } from '../accounts/account.ts';
import { accountCsrf } from '../account-console/account-csrf.ts';
import { currentAccount } from '../account-console/current-account.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { GatewayError } from '../errors.ts';
import { translator, type MessageKey } from '../i18n/messages.ts';
import { requestIdOf } from '../log.ts';
import type { UnsubscribeTokens } from './unsubscribe-token.ts';
import { pageLocale } from '../broker/locale.ts';

export function noticeMailRoutes(ctx: LoginContext, o: { cookieKeys: string[]; tokens: UnsubscribeTokens }): Router {
  const router = express.Router();
  const csrf = accountCsrf(o.cookieKeys, ctx.secureCookies);
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  async function render(req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): Promise<void> {
    res
      .status(status)
      .type('html')
      .send(await ctx.renderer.render(view, { locale: pageLocale(req), requestId: requestIdOf(res) }, locals));
  }
  const message = (req: Request, res: Response, text: MessageKey, status = 200, title: MessageKey = 'noticeMail.unsubscribe.title') =>
    render(req, res, 'native-message', { title, text: translator(pageLocale(req))(text), ok: status < 400 }, status);

  /** Sets the choice; false when the account is gone. */
  async function choose(accountId: string, off: boolean, locale?: Locale): Promise<boolean> {
    const now = ctx.clock.now();
    try {
      await ctx.store.update<Account>('accounts', accountId, (a) => {
        const { offAt, ...rest } = a.noticeMail ?? {};
        return { ...a, noticeMail: { ...rest, ...(off ? { offAt: offAt ?? now } : {}), ...(locale ? { locale } : {}) } };
      });
      return true;
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND') return false;
      throw err;
    }
  }

  router.post('/account/notice-mail', form, csrf.protect, async (req, res) => {
    const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
    if (!s) return res.redirect(303, '/account');
    const mail = req.body.mail;
    if (mail !== 'on' && mail !== 'off') return message(req, res, 'noticeMail.badChoice', 400, 'noticeMail.title');
    await choose(s.account.id, mail === 'off', pageLocale(req));
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id, noticeMail: mail }, 'notice mail choice');
    res.redirect(303, `/account?notice=${mail === 'off' ? 'noticeMailOff' : 'noticeMailOn'}`);
  });

  router.get('/notice-mail/unsubscribe', async (req, res) => {
    if (!(await o.tokens.accountOf(req.query.token))) return message(req, res, 'noticeMail.unsubscribe.invalid', 400);
    await render(req, res, 'notice-mail-unsubscribe', { token: String(req.query.token) });
  });

  router.post('/notice-mail/unsubscribe', form, async (req, res) => {
    const accountId = await o.tokens.accountOf(req.body?.token ?? req.query.token);
    if (!accountId || !(await choose(accountId, true))) return message(req, res, 'noticeMail.unsubscribe.invalid', 400);
    ctx.log.info({ reqId: requestIdOf(res), account: accountId }, 'notice mail unsubscribed');
    await message(req, res, 'noticeMail.unsubscribe.done');
  });

  return router;
}
