// "Have you signed in to <shop> before?" (first broker login; 关联已有账号 / 注册新账号). Before Denglu
// creates a new account at a shop where another way of signing in is in notice or grace, it holds the new
// identity (unclaimed-identity.ts) and asks: "Yes — sign in with Weibo to keep your account" (in grace the
// migration round trip, in notice an ordinary sign-in; either then links the new identity to the account
// found) or "No, create a new account". When the old way finds no account, the page says so and what
// happens instead — never a promise to keep an account that does not exist.

import express, { type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { signInWithIdentity } from '../accounts/sign-in.ts';
import { translator } from '../i18n/messages.ts';
import { endingProviders, integrationFor, loginAvailability } from '../partners/availability.ts';
import { partnerName } from '../partners/partner.ts';
import { formatInstant } from '../time/instant.ts';
import { requestIdOf } from '../log.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import { chooseLocale, loadInteraction, loadPartner, requireLoginPrompt } from './sign-in-steps.ts';
import { lost, refusals, type SignInState, type Step, stepRunner } from './steps.ts';
import { endOf, recordSignIn } from './record-sign-in.ts';
import { dropUnclaimed, unclaimedOf } from './unclaimed-identity.ts';
import { methodLabel } from '../i18n/method-label.ts';

/** The new identity this interaction holds, for this same shop. */
const loadUnclaimed: Step = async (ctx, _req, _res, s) => {
  const unclaimed = await unclaimedOf(ctx.store, s.interaction!.uid);
  if (!unclaimed || unclaimed.partnerId !== s.partner!.id) throw lost('no new identity is held for this interaction');
  s.unclaimed = unclaimed;
};

const label = (ctx: LoginContext, id: string, locale: SignInState['locale']) => methodLabel(ctx.descriptors, id, locale);

export function firstLoginRoutes(ctx: LoginContext): Router {
  const router = express.Router();
  const steps = stepRunner(ctx);

  router.get('/interaction/:uid/first-login', steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, loadUnclaimed), async (_req, res) => {
    const s = res.locals.signIn as SignInState;
    const unclaimed = s.unclaimed!;
    const partner = s.partner!;
    const uid = s.interaction!.uid;
    const t = translator(s.locale);
    const shop = partnerName(partner, s.locale);
    const ways = endingProviders(partner, ctx.broker.configured(), ctx.clock.now(), unclaimed.identity.provider).map(({ id, phase }) => {
      const name = label(ctx, id, s.locale);
      const graceEndsAt = integrationFor(partner, id)?.graceEndsAt;
      const upstream = ctx.broker.upstream(id);
      return {
        id,
        label: name,
        // In grace the old way only proves who the shopper is (migration); in notice it still signs in.
        href: !upstream ? `/interaction/${uid}?chooser` : phase === 'grace' ? `/interaction/${uid}/migrate/${id}` : `/interaction/${uid}/start/${id}`,
        text:
          phase === 'grace' && graceEndsAt !== undefined
            ? t('firstLogin.yesUntil', { provider: name, until: formatInstant(graceEndsAt, partner.timeZone, s.locale, 'date') })
            : t('firstLogin.yes', { provider: name }),
      };
    });
    const newProvider = label(ctx, unclaimed.identity.provider, s.locale);
    res.type('html').send(
      await ctx.renderer.render('first-login', pageOf(res, s), {
        shop,
        newProvider,
        ending: ways.map((w) => w.label).join(s.locale === 'zh-CN' ? '、' : ', '),
        ways,
        createAction: `/interaction/${uid}/first-login/new`,
        abortAction: `/interaction/${uid}/abort?error=access_denied`,
        csrf: ctx.csrf.token(res),
      }),
    );
  });

  // "No, create a new account": the held identity becomes a new account (as the shop's rules allow).
  router.post(
    '/interaction/:uid/first-login/new',
    ...ctx.csrf.protect,
    steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, loadUnclaimed),
    async (_req, res) => {
      const s = res.locals.signIn as SignInState;
      const unclaimed = s.unclaimed!;
      const partner = s.partner!;
      const provider = unclaimed.identity.provider;
      s.provider = provider;
      const availability = loginAvailability(partner, provider, ctx.broker.configured(), ctx.clock.now());
      if (!availability.ok) throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${provider}" no longer signs in here`, { status: 403 });
      const mayCreate = availability.phase.phase !== 'notice' || availability.integration.newAccountsDuringNotice;
      const { account, created } = await signInWithIdentity(ctx.store, ctx.clock, unclaimed.identity, partner.id, {
        mayCreate,
        seal: async () => unclaimed.sealedToken,
      });
      await dropUnclaimed(ctx.store, s.interaction!.uid);
      ctx.log.info({ reqId: requestIdOf(res), provider, partner: partner.id, account: account.id, created }, 'new account chosen after "signed in before?"');
      const next = await continueSignIn(ctx, { interaction: s.interaction!, partner, account, provider });
      recordSignIn(ctx, s, endOf(next));
      if (next.kind === 'lost') throw lost('the interaction expired');
      res.redirect(303, next.kind === 'held' ? next.url : next.returnTo);
    },
  );

  router.use('/interaction/:uid/first-login', refusals(ctx));
  return router;
}
