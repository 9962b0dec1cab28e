// Who may use a page of the account console: a signed-in shopper (otherwise the sign-in page), and for
// changes one who signed in within ACCOUNT_REAUTH_SECONDS (otherwise off to sign in again, `prompt=login`).

import type { Request, Response } from 'express';
import type { LoginContext } from '../broker/login-context.ts';
import { requestIdOf } from '../log.ts';
import { currentAccount, type SignedIn } from './current-account.ts';
import { pageLocale } from '../broker/locale.ts';

/** Whether the session signed in recently enough for a change. */
export function freshSignIn(ctx: LoginContext, s: SignedIn): boolean {
  return s.loginAt !== undefined && ctx.clock.now() - s.loginAt <= ctx.reauthAfterMs;
}

/** The signed-in shopper, or undefined when this response was already sent (the sign-in page or the re-authentication redirect). */
export async function signedInShopper(ctx: LoginContext, req: Request, res: Response, recent: boolean): Promise<SignedIn | undefined> {
  const s = await currentAccount(ctx.oidc(), ctx.store, req, res);
  if (!s) {
    const locale = pageLocale(req);
    res.type('html').send(await ctx.renderer.render('account-signin', { locale, requestId: requestIdOf(res) }, { reauth: false }));
    return undefined;
  }
  if (recent && !freshSignIn(ctx, s)) {
    res.redirect(303, '/account/login?reauth=1');
    return undefined;
  }
  return s;
}
