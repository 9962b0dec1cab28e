// `/cb/<provider>`, where a provider sends the shopper back. The broker validates the flow and reads the
// identity (step takeFlow); then, by the flow's purpose: `login` finds the account — or, for an identity
// never seen at a shop where another way of signing in is ending, first asks "have you signed in here
// before?" — and continues (continue-sign-in.ts); `migrate` (provider in grace) only proves identity and
// holds the sign-in until a replacement is added; `link` attaches the new identity to the held account and
// finishes with that same account; a link from the account console attaches it to the signed-in account.
// An identity that belongs to another account gets the link-conflict page; every other refusal a page
// with a way forward.

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { findAccountByIdentity, getAccount, signInWithIdentity } from '../accounts/sign-in.ts';
import { LinkConflictError, linkIdentity } from '../accounts/link.ts';
import { getPartner } from '../partners/partners.ts';
import { endingProviders, loginAvailability } from '../partners/availability.ts';
import type { UpstreamIdentity } from '../../providers/contract.ts';
import { currentAccount } from '../account-console/current-account.ts';
import { requestIdOf } from '../log.ts';
import { BINDING_COOKIE } from './binding-cookie.ts';
import { continueSignIn, type NextStep } from './continue-sign-in.ts';
import { sendProviderEnded } from './ended-page.ts';
import { finishLogin, loadInteraction as findInteraction } from './finish-interaction.ts';
import { sendNoAccountForMigration } from './no-account-page.ts';
import { sendLinkConflict } from './link-conflict-page.ts';
import type { LoginContext } from './login-context.ts';
import { createdBy, mayHoldSignIns, pendingLogin, releaseLogin } from './pending-login.ts';
import { lost, Refusal, refusals, type SignInState, signInOf, type Step, stepRunner } from './steps.ts';
import { holdUnclaimed, type UnclaimedIdentity, unclaimedOf } from './unclaimed-identity.ts';
import { accountInRequest } from '../accounts/account-in-request.ts';
import { grantInRequest } from '../oidc/grant-in-request.ts';
import { noteAtShops } from '../account-console/shop-notes.ts';
import { endOf, recordFailure, recordSignIn } from './record-sign-in.ts';

/** The provider's answer: the flow taken once, the sign-in it belongs to, and the identity proven. */
const takeFlow: Step = async (ctx, req, _res, s) => {
  const provider = String(req.params.provider);
  const result = await ctx.broker.callback(provider, req.query as Record<string, unknown>, req.cookies?.[BINDING_COOKIE]);
  s.provider = provider;
  const flow = result.flow;
  if (flow) {
    s.flow = flow;
    s.locale = flow.locale;
    s.fromAccountPage = flow.purpose === 'link' && !flow.interactionUid;
    const [partner, interaction] = await Promise.all([
      flow.partnerId ? getPartner(ctx.store, flow.partnerId) : undefined,
      flow.interactionUid ? findInteraction(ctx.oidc(), flow.interactionUid) : undefined,
    ]);
    if (partner) s.partner = partner;
    if (interaction && partner) s.interaction = interaction;
    // A link to a held sign-in: its failure page offers that sign-in's ways forward.
    const pending = flow.purpose === 'link' && interaction ? await pendingLogin(ctx.store, interaction.uid) : undefined;
    const account = pending ? await getAccount(ctx.store, pending.accountId) : undefined;
    if (pending && account) s.held = { pending, account };
    // How long the provider took, for the shop's analytics (not for a link from the account console).
    if (partner && result.upstreamMs !== undefined && !s.fromAccountPage) {
      ctx.events?.note({ at: ctx.clock.now(), partner: partner.id, method: provider, kind: 'upstream', ms: result.upstreamMs });
    }
  }
  // Every refusal of the round trip (upstream ones included, which are not exposed as such) is a page.
  // An unknown provider is named on the page (a callback for a provider this instance lacks: see the broker's log line).
  if (!result.ok) throw new Refusal(result.error, result.error.code === 'ERR_PROVIDER_UNKNOWN' ? { hint: provider } : {});
  s.identity = result.identity;
};

/** A sign-in's flow (not a link from the account console): its shop and interaction are still there. */
const requireFlowSignIn: Step = (_ctx, _req, _res, s) => {
  if (!s.partner) throw lost('the flow names no partner');
  if (!s.interaction) throw lost('the interaction expired during the flow');
};

export function callbackRoute(ctx: LoginContext): Router {
  const router = express.Router();
  const steps = stepRunner(ctx);

  router.get('/cb/:provider', steps(takeFlow), async (req, res, next) => {
    const s = res.locals.signIn as SignInState;
    if (s.flow!.purpose === 'link' && !s.flow!.interactionUid) return completeConsoleLink(ctx, req, res, s);
    next();
  });
  router.get('/cb/:provider', steps(requireFlowSignIn), async (req, res) => {
    const s = res.locals.signIn as SignInState;
    if (s.flow!.purpose === 'login') await completeLogin(ctx, req, res, s);
    else if (s.flow!.purpose === 'migrate') await completeMigrationSignIn(ctx, req, res, s);
    else await completeLink(ctx, req, res, s);
  });

  router.use('/cb/:provider', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const s = res.locals.signIn as SignInState | undefined;
    const cause = err instanceof Refusal ? err.error : err;
    recordFailure(ctx, signInOf(req, res), cause, s?.provider ?? String(req.params.provider));
    ctx.log.warn(
      {
        reqId: requestIdOf(res),
        provider: req.params.provider,
        purpose: s?.flow?.purpose,
        code: (cause as GatewayError).code,
        step: (cause as { step?: unknown }).step,
        err: { message: (cause as Error).message },
      },
      'upstream sign-in failed',
    );
    next(err);
  });
  router.use('/cb/:provider', refusals(ctx));
  return router;
}

/** The upstream token, sealed, when the provider can revoke grants (so unlinking can revoke it). */
async function sealedTokenOf(ctx: LoginContext, identity: UpstreamIdentity): Promise<string | undefined> {
  if (!identity.accessToken || !ctx.descriptors.get(identity.provider)?.revocable) return undefined;
  return ctx.sealer.seal(identity.accessToken);
}

/** Goes where the sign-in continues: a held page, or the shop (resumed in this same response, no extra hop). */
function go(ctx: LoginContext, req: Request, res: Response, next: NextStep): void {
  if (next.kind === 'lost') throw lost('the interaction expired during the flow');
  if (next.kind === 'held') return void res.redirect(303, next.url);
  // oidc-provider's resume, in this same request, looks the account and the grant up again: they are at hand.
  if (next.account) accountInRequest.keep(req, next.account);
  if (next.grant) grantInRequest.keep(req, next.grant);
  ctx.resume(req, res, next.returnTo);
}

/** A sign-in: the provider must still sign shoppers in to this shop now, not only when the flow started. */
async function completeLogin(ctx: LoginContext, req: Request, res: Response, s: SignInState): Promise<void> {
  const { partner, interaction, identity, flow } = s as Required<SignInState>;
  const now = ctx.clock.now();
  const availability = loginAvailability(partner, flow.provider, ctx.broker.configured(), now);
  if (!availability.ok) {
    // Cut off while the shopper was at the provider: the page for what happened (recover in grace), nothing created.
    if (availability.reason === 'grace' || availability.reason === 'ended') return sendProviderEnded(ctx, res, s, flow.provider, availability.reason);
    throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${flow.provider}" became ${availability.reason} during the flow`, { status: 403 });
  }
  // An identity never seen, at a shop where another way of signing in is ending: ask before creating.
  const found = (await findAccountByIdentity(ctx.store, identity.keys)) ?? null;
  // Read only for an identity never seen, at a shop that can hold sign-ins; handed on so that
  // continueSignIn does not read it again (null: there is none).
  const holds = mayHoldSignIns(partner);
  let asked: UnclaimedIdentity | null | undefined = holds ? undefined : null;
  if (!found) {
    asked = holds ? ((await unclaimedOf(ctx.store, interaction.uid)) ?? null) : null;
    const configured = ctx.broker.configured();
    // "Yes, I signed in before with Weibo" and this Weibo has no account: say so, create nothing.
    if (asked && endingProviders(partner, configured, now, asked.identity.provider).some((p) => p.id === flow.provider)) {
      recordSignIn(ctx, s, { outcome: 'error' });
      return sendNoAccountForMigration(ctx, res, s);
    }
    if (endingProviders(partner, configured, now, flow.provider).length > 0) {
      const { accessToken: _token, ...kept } = identity;
      const sealedToken = await sealedTokenOf(ctx, identity);
      await holdUnclaimed(ctx.store, {
        interactionUid: interaction.uid,
        partnerId: partner.id,
        identity: kept,
        ...(sealedToken ? { sealedToken } : {}),
        createdAt: now,
      });
      ctx.log.info({ reqId: requestIdOf(res), provider: flow.provider, partner: partner.id }, 'new identity held: asked whether signed in before');
      return void res.redirect(303, `/interaction/${interaction.uid}/first-login`);
    }
  }
  const notice = availability.phase.phase === 'notice';
  const mayCreate = !notice || availability.integration.newAccountsDuringNotice;
  const { account, created } = await signInWithIdentity(ctx.store, ctx.clock, identity, partner.id, {
    mayCreate,
    seal: () => sealedTokenOf(ctx, identity),
    found,
  });
  ctx.log.info({ reqId: requestIdOf(res), provider: flow.provider, partner: partner.id, account: account.id, created }, 'signed in upstream');
  // Signing in with the other account from a held sign-in's conflict page: the held one is given up.
  if (holds) await releaseLogin(ctx.store, interaction.uid);
  const proven = { interaction, partner, account, provider: flow.provider, created, resumeIn: req, ...(asked !== undefined ? { unclaimed: asked } : {}) };
  const next = await continueSignIn(ctx, proven);
  recordSignIn(ctx, s, endOf(next));
  go(ctx, req, res, next);
}

/** "Used Weibo before?" in grace: prove who the shopper is, never let them into the shop with it. */
async function completeMigrationSignIn(ctx: LoginContext, req: Request, res: Response, s: SignInState): Promise<void> {
  const { partner, interaction, identity, flow } = s as Required<SignInState>;
  const availability = loginAvailability(partner, flow.provider, ctx.broker.configured(), ctx.clock.now());
  if (availability.ok) return completeLogin(ctx, req, res, s); // the schedule changed back: an ordinary sign-in
  if (availability.reason === 'ended') return sendProviderEnded(ctx, res, s, flow.provider, 'ended');
  if (availability.reason !== 'grace') {
    throw new GatewayError('ERR_INTEGRATION_ENDED', `migration with "${flow.provider}" closed during the flow (${availability.reason})`, { status: 403 });
  }
  const account = await findAccountByIdentity(ctx.store, identity.keys);
  if (!account) {
    recordSignIn(ctx, s, { outcome: 'error' });
    return sendNoAccountForMigration(ctx, res, s);
  }
  const next = await continueSignIn(ctx, { interaction, partner, account, provider: flow.provider, resumeIn: req });
  recordSignIn(ctx, s, endOf(next));
  go(ctx, req, res, next);
}

/**
 * A link started on the account console: the identity goes to the account the flow was started for,
 * and only while that same account is still signed in in this browser (a changed session is refused).
 */
async function completeConsoleLink(ctx: LoginContext, req: Request, res: Response, s: SignInState): Promise<void> {
  const { flow, identity } = s as Required<SignInState>;
  const signed = await currentAccount(ctx.oidc(), ctx.store, req, res);
  if (!signed || signed.account.id !== flow.accountId) {
    throw new GatewayError('ERR_REAUTH_REQUIRED', 'the signed-in account changed during the link', { status: 403, expose: true });
  }
  try {
    await linkIdentity(ctx.store, ctx.clock, signed.account.id, identity, await sealedTokenOf(ctx, identity));
  } catch (err) {
    if (err instanceof LinkConflictError) return sendLinkConflict(ctx, res, s, undefined);
    throw err;
  }
  ctx.log.info({ reqId: requestIdOf(res), provider: flow.provider, account: signed.account.id }, 'linked from the account console');
  noteAtShops(ctx, signed.account, 'link', flow.provider);
  res.redirect(303, `/account?notice=linked&provider=${encodeURIComponent(flow.provider)}`);
}

/** Linking a replacement to the held account, then continuing to the shop as that same account. */
async function completeLink(ctx: LoginContext, req: Request, res: Response, s: SignInState): Promise<void> {
  const { partner, interaction, identity, flow } = s as Required<SignInState>;
  // takeFlow read it for this same request (s.held); read again only when it found no account with it.
  const pending = s.held?.pending ?? (await pendingLogin(ctx.store, interaction.uid));
  if (!pending || pending.accountId !== flow.accountId) throw lost('the sign-in this link belongs to is gone');
  const availability = loginAvailability(partner, flow.provider, ctx.broker.configured(), ctx.clock.now());
  if (!availability.ok) {
    throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${flow.provider}" cannot replace anything here now`, { status: 403 });
  }
  const linked = await linkIdentity(ctx.store, ctx.clock, pending.accountId, identity, await sealedTokenOf(ctx, identity)).catch((err: unknown) => {
    if (err instanceof LinkConflictError) return undefined;
    throw err;
  });
  if (!linked) {
    recordSignIn(ctx, s, { outcome: 'error' });
    return sendLinkConflict(ctx, res, s, pending);
  }
  const { account } = linked;
  ctx.events?.note({ at: ctx.clock.now(), partner: partner.id, method: flow.provider, kind: 'link' });
  ctx.log.info(
    { reqId: requestIdOf(res), provider: flow.provider, partner: partner.id, account: account.id, replaced: pending.provider },
    'linked a replacement',
  );
  await releaseLogin(ctx.store, interaction.uid);
  const finished = await finishLogin(ctx.oidc(), interaction, partner.firstParty, account.id, flow.provider, req);
  const signedIn = { account: account.id, method: flow.provider };
  const via = pending.kind === 'migrate' ? 'migration' : 'notice';
  recordSignIn(ctx, s, finished ? { outcome: 'success', ...signedIn, via, replaced: pending.provider, ...createdBy(pending) } : { outcome: 'error' });
  go(ctx, req, res, finished ? { kind: 'finished', ...finished, signedIn } : { kind: 'lost' });
}
