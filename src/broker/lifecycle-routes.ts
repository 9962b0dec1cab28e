// The shopper's side of a provider's lifecycle, between the proven sign-in and the shop: the notice
// interstitial (a way of signing in ending at this shop: add another now, or later — at most once a day),
// the migration page (grace: add a replacement, then continue with the same account), and starting the
// upstream round trips for a migration sign-in ("used Weibo before?") or for linking a replacement. Both
// pages offer every replacement the shop accepts now: providers to link (`/link/<id>`) and Denglu's own
// methods the account lacks (`/add/<id>`: `password`, `phone`, whose routes live with those methods).

import express, { type Router } from 'express';
import type { Account } from '../accounts/account.ts';
import { signInMethods } from '../accounts/unlink.ts';
import { GatewayError } from '../errors.ts';
import { chooserProviders, integrationFor, loginAvailability } from '../partners/availability.ts';
import { noticeText } from '../partners/notice-text.ts';
import { partnerName, type Partner } from '../partners/partner.ts';
import type { Locale } from '../../providers/contract.ts';
import { sendProviderEnded } from './ended-page.ts';
import { finishLogin } from './finish-interaction.ts';
import type { LoginContext } from './login-context.ts';
import { pageOf } from './page-context.ts';
import { createdBy, releaseLogin } from './pending-login.ts';
import { redirectToProvider } from './start-flow.ts';
import { chooseLocale, loadHeldSignIn, loadInteraction, loadPartner, requireHeld, requireKnownProvider, requireLoginPrompt } from './sign-in-steps.ts';
import { lost, refusals, type SignInState, type Step, stepRunner } from './steps.ts';
import { recordSignIn } from './record-sign-in.ts';
import { methodLabel } from '../i18n/method-label.ts';

/**
 * The replacements the account could add at this shop: every way that signs in there now, other than
 * the one being replaced — providers not linked yet (`toLink`), Denglu's own methods the account has not
 * set up (`toAdd`), and those it already has (`alreadyLinked`, a normal sign-in).
 */
export function replacementsFor(ctx: LoginContext, partner: Partner, account: Account, excluding: string) {
  const held = new Set(signInMethods(account));
  const available = chooserProviders(partner, ctx.broker.configured(), ctx.clock.now())
    .map((p) => p.integration.provider)
    .filter((p) => p !== excluding);
  return {
    toLink: available.filter((p) => !held.has(p) && ctx.broker.upstream(p)),
    toAdd: available.filter((p) => !held.has(p) && !ctx.broker.upstream(p)),
    alreadyLinked: available.filter((p) => held.has(p)),
  };
}

/** The replacement buttons of the notice and migration pages. */
function replacementLinks(ctx: LoginContext, s: SignInState) {
  const { pending, account } = s.held!;
  const label = (id: string) => methodLabel(ctx.descriptors, id, s.locale);
  const { toLink, toAdd, alreadyLinked } = replacementsFor(ctx, s.partner!, account, pending.provider);
  const uid = pending.interactionUid;
  return {
    links: [
      ...toLink.map((id) => ({ id, label: label(id), href: `/interaction/${uid}/link/${id}`, native: false })),
      ...toAdd.map((id) => ({ id, label: label(id), href: `/interaction/${uid}/add/${id}`, native: true })),
    ],
    // Already held: the shopper signs in with it (a normal login); the grace provider does not let them in.
    alreadyLinked: alreadyLinked.map((id) => ({ id, label: label(id), href: `/interaction/${uid}/start/${id}` })),
  };
}

function noticeOf(ctx: LoginContext, partner: Partner, provider: string, locale: Locale): string {
  const integration = integrationFor(partner, provider);
  const descriptor = ctx.descriptors.get(provider);
  return integration && descriptor ? (noticeText(partner, integration, descriptor.label, locale, ctx.clock.now()) ?? '') : '';
}

/** The provider in the path can replace the held method here now (not linked yet). */
const requireLinkable: Step = (ctx, req, _res, s) => {
  const provider = String(req.params.provider);
  const { toLink } = replacementsFor(ctx, s.partner!, s.held!.account, s.held!.pending.provider);
  if (!toLink.includes(provider)) throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `"${provider}" cannot be linked here now`, { status: 403 });
  s.provider = provider;
};

/** The provider in the path is in its migration window here ("used Weibo before?"). */
const requireGrace: Step = async (ctx, _req, res, s) => {
  const a = loginAvailability(s.partner!, s.provider!, ctx.broker.configured(), ctx.clock.now());
  // The password's migration is its form on the chooser.
  if (!a.ok && a.reason === 'grace' && !ctx.broker.upstream(s.provider!)) return void res.redirect(303, `/interaction/${s.interaction!.uid}?chooser=1`);
  // Past its grace (an old link, a page left open): the page for what happened and how to keep the account.
  if (!a.ok && a.reason === 'ended') return sendProviderEnded(ctx, res, s, s.provider!, 'ended');
  if (a.ok || a.reason !== 'grace') {
    throw new GatewayError('ERR_INTEGRATION_ENDED', `"${s.provider}" is not in its migration window at ${s.partner!.id}`, { status: 403 });
  }
};

export function lifecycleRoutes(ctx: LoginContext): Router {
  const router = express.Router();
  const steps = stepRunner(ctx);

  router.get('/interaction/:uid/notice', steps(loadInteraction, loadHeldSignIn, chooseLocale, requireHeld('notice')), async (_req, res) => {
    const s = res.locals.signIn as SignInState;
    const { links } = replacementLinks(ctx, s);
    const provider = s.held!.pending.provider;
    res.type('html').send(
      await ctx.renderer.render('notice', pageOf(res, s), {
        shop: partnerName(s.partner!, s.locale),
        provider: methodLabel(ctx.descriptors, provider, s.locale),
        notice: noticeOf(ctx, s.partner!, provider, s.locale),
        links,
        continueAction: `/interaction/${s.held!.pending.interactionUid}/continue`,
        csrf: ctx.csrf.token(res),
      }),
    );
  });

  router.post(
    '/interaction/:uid/continue',
    ...ctx.csrf.protect,
    steps(loadInteraction, loadHeldSignIn, chooseLocale, requireHeld('notice')),
    async (_req, res) => {
      const s = res.locals.signIn as SignInState;
      const { account, pending } = s.held!;
      const now = ctx.clock.now();
      await ctx.store.update<Account>('accounts', account.id, (a) => ({ ...a, noticeShownAt: { ...a.noticeShownAt, [s.partner!.id]: now } }));
      const returnTo = (await finishLogin(ctx.oidc(), s.interaction!, s.partner!.firstParty, account.id, pending.provider))?.returnTo;
      await releaseLogin(ctx.store, pending.interactionUid);
      if (!returnTo) throw lost('the interaction expired');
      recordSignIn(ctx, s, {
        outcome: 'success',
        method: pending.provider,
        account: account.id,
        via: 'notice',
        ...createdBy(pending),
      });
      res.redirect(303, returnTo);
    },
  );

  router.get('/interaction/:uid/migrate', steps(loadInteraction, loadHeldSignIn, chooseLocale, requireHeld('migrate')), async (_req, res) => {
    const s = res.locals.signIn as SignInState;
    const { links, alreadyLinked } = replacementLinks(ctx, s);
    const { pending, account } = s.held!;
    const uid = pending.interactionUid;
    res.type('html').send(
      await ctx.renderer.render('migrate', pageOf(res, s), {
        shop: partnerName(s.partner!, s.locale),
        provider: methodLabel(ctx.descriptors, pending.provider, s.locale),
        // An account that never signed in to this shop has no shop account to keep: say what happens instead.
        usedHere: account.shops[s.partner!.id] !== undefined,
        notice: noticeOf(ctx, s.partner!, pending.provider, s.locale),
        links,
        alreadyLinked,
        abortAction: `/interaction/${uid}/abort?error=access_denied`,
        csrf: ctx.csrf.token(res),
      }),
    );
  });

  // Starts the upstream round trip that links a replacement to the held account (`?another=1`: the
  // provider is asked to sign in again, to pick a different account of it).
  router.get('/interaction/:uid/link/:provider', steps(loadInteraction, loadHeldSignIn, chooseLocale, requireLinkable), (req, res) =>
    redirectToProvider(ctx, req, res, res.locals.signIn as SignInState, 'link'),
  );

  // "Used Weibo before?": a sign-in with a provider in grace, which only proves identity for a migration.
  router.get(
    '/interaction/:uid/migrate/:provider',
    steps(loadInteraction, requireLoginPrompt, loadPartner, chooseLocale, requireKnownProvider, requireGrace),
    (req, res) => redirectToProvider(ctx, req, res, res.locals.signIn as SignInState, 'migrate'),
  );

  router.use('/interaction/:uid', refusals(ctx));
  return router;
}
