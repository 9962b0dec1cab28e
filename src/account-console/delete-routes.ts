// "Delete my account / 注销账号" on the account console: a confirmation page saying what goes (every way
// to sign in, the sign-ins of this and every other browser) and which shops are told, that it cannot be
// undone and that signing in again later makes a new account; then the deletion itself
// with the providers' grants revoked where they can be (src/accounts/delete-with-grants.ts, the same as an
// operator's deletion) on a POST with the console's CSRF token from a recent sign-in, and a page saying it
// is done.

import express, { type Request, type Response, type Router } from 'express';
import { deleteAccountAndGrants } from '../accounts/delete-with-grants.ts';
import { signInMethods } from '../accounts/unlink.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { requestIdOf } from '../log.ts';
import { partnerName } from '../partners/partner.ts';
import { listPartners } from '../partners/partners.ts';
import { accountCsrf } from './account-csrf.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { signedInShopper } from './shopper-guard.ts';
import { pageLocale } from '../broker/locale.ts';
import { methodLabel } from '../i18n/method-label.ts';

export function accountDeleteRoutes(ctx: LoginContext, o: { cookieKeys: string[] }): Router {
  const router = express.Router();
  const csrf = accountCsrf(o.cookieKeys, ctx.secureCookies);
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  async function confirm(req: Request, res: Response, s: SignedIn): Promise<void> {
    const locale = pageLocale(req);
    const label = (id: string) => methodLabel(ctx.descriptors, id, locale);
    const shops = (await listPartners(ctx.store)).filter((p) => !p.internal && s.account.shops[p.id]).map((p) => partnerName(p, locale));
    res
      .type('html')
      .send(
        await ctx.renderer.render(
          'account-delete',
          { locale, requestId: requestIdOf(res) },
          { csrf: csrf.token(req, res), methods: signInMethods(s.account).map(label), shops },
        ),
      );
  }

  router.get('/account/delete', async (req, res) => {
    const s = await signedInShopper(ctx, req, res, true);
    if (s) await confirm(req, res, s);
  });

  router.post('/account/delete', form, csrf.protect, async (req, res) => {
    const s = await signedInShopper(ctx, req, res, true);
    if (!s) return;
    // Nothing is deleted without the confirmation on the page above.
    if (req.body.confirm !== 'yes') return confirm(req, res, s);
    const { deleted, swept, upstream } = await deleteAccountAndGrants({ ...ctx, grants: ctx }, s.account.id, { kind: 'shopper', id: s.account.id });
    ctx.log.info({ reqId: requestIdOf(res), account: s.account.id, deleted: deleted !== undefined, swept, upstream }, 'account deleted by its owner');
    res.redirect(303, '/account/deleted');
  });

  router.get('/account/deleted', async (req, res) => {
    // Only a browser no longer signed in sees it: a signed-in one has an account page instead.
    if (await currentAccount(ctx.oidc(), ctx.store, req, res)) return res.redirect(303, '/account');
    res.type('html').send(await ctx.renderer.render('account-deleted', { locale: pageLocale(req), requestId: requestIdOf(res) }, {}));
  });

  return router;
}
