// The page for an old way of signing in that proved an identity no account holds (a "used Weibo before?"
// or a "yes, I signed in before" that found nothing): nothing changed, and it says what happens instead —
// never a promise to keep an account that does not exist. With a new identity held, creating the account
// from it is offered plainly; otherwise the other ways, saying that a way never used here starts a new account.

import type { Response } from 'express';
import { chooserProviders, loginAvailability } from '../partners/availability.ts';
import { partnerName } from '../partners/partner.ts';
import { requestIdOf } from '../log.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import type { SignInState } from './steps.ts';
import { unclaimedOf } from './unclaimed-identity.ts';
import { methodLabel } from '../i18n/method-label.ts';

export async function sendNoAccountForMigration(ctx: LoginContext, res: Response, s: SignInState): Promise<void> {
  const partner = s.partner!;
  const uid = s.interaction!.uid;
  const provider = s.flow!.provider;
  const shop = partnerName(partner, s.locale);
  const label = (id: string) => methodLabel(ctx.descriptors, id, s.locale);
  const unclaimed = await unclaimedOf(ctx.store, uid);
  const others = chooserProviders(partner, ctx.broker.configured(), ctx.clock.now())
    .map((p) => p.integration.provider)
    .filter((id) => id !== provider && ctx.broker.upstream(id))
    .map((id) => ({ id, label: label(id), href: `/interaction/${uid}/start/${id}` }));
  ctx.log.info({ reqId: requestIdOf(res), provider, partner: partner.id }, 'migration proved an identity without an account');
  res
    .status(200)
    .type('html')
    .send(
      await ctx.renderer.render('no-account', pageOf(res, s), {
        shop,
        provider: label(provider),
        providerId: provider,
        newProvider: unclaimed ? label(unclaimed.identity.provider) : undefined,
        createAction: `/interaction/${uid}/first-login/new`,
        retryHref: `/interaction/${uid}/${loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now()).ok ? 'start' : 'migrate'}/${provider}?another=1`,
        others: unclaimed ? [] : others,
        chooserHref: `/interaction/${uid}?chooser`,
        abortAction: `/interaction/${uid}/abort?error=access_denied`,
        csrf: ctx.csrf.token(res),
      }),
    );
}
