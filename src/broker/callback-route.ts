// `/cb/<provider>`, where a provider sends the shopper back. The broker validates the flow and reads the
// identity; then, by the flow's purpose: `login` finds or creates the account (showing the notice
// interstitial when the provider is ending here), `migrate` (provider in grace) only proves identity and
// holds the sign-in until a replacement is linked, `link` attaches the new identity to the held account
// and finishes the sign-in with the same account. Every refusal is a page with a way forward.

import type { Interaction } from 'oidc-provider';
import express, { type Request, type Response, type Router } from 'express';
import { GatewayError } from '../errors.ts';
import { findAccountByIdentity, signInWithIdentity } from '../accounts/sign-in.ts';
import { linkIdentity } from '../accounts/link.ts';
import { getPartner } from '../partners/partners.ts';
import { loginAvailability } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';
import type { Locale, UpstreamIdentity } from '../../providers/contract.ts';
import { BINDING_COOKIE } from './binding-cookie.ts';
import { sendFailure, type FailureContext } from './failure-page.ts';
import { finishLogin, loadInteraction } from './finish-interaction.ts';
import type { Flow } from './flow.ts';
import { failureContext, localeFor } from './interaction-routes.ts';
import { noticeDue } from './lifecycle-routes.ts';
import type { LoginContext } from './login-context.ts';
import { holdLogin, pendingLogin, releaseLogin } from './pending-login.ts';
import { currentAccount } from '../account-console/current-account.ts';
import { requestIdOf } from '../log.ts';

interface Arrival {
  req: Request;
  res: Response;
  flow: Flow;
  identity: UpstreamIdentity;
  partner: Partner;
  interaction: Interaction;
  fail: (err: unknown) => Promise<void>;
}

export function callbackRoute(ctx: LoginContext): Router {
  const router = express.Router();

  router.get('/cb/:provider', async (req, res) => {
    const providerId = req.params.provider!;
    const result = await ctx.broker.callback(providerId, req.query as Record<string, unknown>, req.cookies?.[BINDING_COOKIE]);
    const flow = result.flow;
    const partner = flow?.partnerId ? await getPartner(ctx.store, flow.partnerId) : undefined;
    const locale: Locale = flow?.locale ?? localeFor(req, undefined);
    const interaction = flow?.interactionUid ? await loadInteraction(ctx.oidc(), flow.interactionUid) : undefined;
    const fail = async (err: unknown) => {
      ctx.log.warn(
        {
          reqId: requestIdOf(res),
          provider: providerId,
          purpose: flow?.purpose,
          code: (err as GatewayError).code,
          step: (err as { step?: unknown }).step,
          err: { message: (err as Error).message },
        },
        'upstream sign-in failed',
      );
      const f: FailureContext =
        interaction && partner
          ? failureContext(ctx, res, partner, interaction.uid, locale, providerId)
          : { locale, requestId: requestIdOf(res), provider: providerId, fromAccountPage: flow?.purpose === 'link' };
      await sendFailure(ctx, res, err, f);
    };
    if (!result.ok) return fail(result.error);
    if (result.flow.purpose === 'link' && !result.flow.interactionUid) {
      try {
        return await completeConsoleLink(ctx, req, res, result.flow, result.identity);
      } catch (err) {
        if (err instanceof GatewayError && err.expose) return fail(err);
        throw err;
      }
    }
    if (!partner) return fail(new GatewayError('ERR_INTERACTION_LOST', 'the flow names no partner', { status: 400 }));
    if (!interaction) return fail(new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired during the flow', { status: 400 }));
    const arrival: Arrival = { req, res, flow: result.flow, identity: result.identity, partner, interaction, fail };
    try {
      if (result.flow.purpose === 'login') await completeLogin(ctx, arrival);
      else if (result.flow.purpose === 'migrate') await completeMigrationSignIn(ctx, arrival);
      else await completeLink(ctx, arrival);
    } catch (err) {
      if (err instanceof GatewayError && err.expose) return fail(err);
      throw err;
    }
  });

  return router;
}

/** The upstream token, sealed, when the provider can revoke grants (so unlinking can revoke it). */
export async function sealedTokenOf(ctx: LoginContext, identity: UpstreamIdentity): Promise<string | undefined> {
  if (!identity.accessToken || !ctx.descriptors.get(identity.provider)?.revocable) return undefined;
  return ctx.sealer.seal(identity.accessToken);
}

/** Ends the interaction and resumes the authorization in this same response (no extra browser hop). */
async function finish(ctx: LoginContext, a: Arrival, accountId: string, provider: string): Promise<void> {
  const returnTo = await finishLogin(ctx.oidc(), a.interaction, a.partner.firstParty, accountId, provider);
  if (!returnTo) return a.fail(new GatewayError('ERR_INTERACTION_LOST', 'the interaction expired during the flow', { status: 400 }));
  ctx.resume(a.req, a.res, returnTo);
}

/** A sign-in: the provider must still sign shoppers in to this shop now, not only when the flow started. */
async function completeLogin(ctx: LoginContext, a: Arrival): Promise<void> {
  const now = ctx.clock.now();
  const availability = loginAvailability(a.partner, a.flow.provider, ctx.broker.configured(), now);
  if (!availability.ok) {
    const ended = availability.reason === 'grace' || availability.reason === 'ended';
    return a.fail(
      new GatewayError(
        ended ? 'ERR_INTEGRATION_ENDED' : 'ERR_PROVIDER_UNAVAILABLE',
        `provider "${a.flow.provider}" became ${availability.reason} during the flow`,
        { status: 403 },
      ),
    );
  }
  const notice = availability.phase.phase === 'notice';
  const mayCreate = !notice || availability.integration.newAccountsDuringNotice;
  const { account, created } = await signInWithIdentity(ctx.store, ctx.clock, a.identity, a.partner.id, {
    mayCreate,
    seal: () => sealedTokenOf(ctx, a.identity),
  });
  ctx.log.info({ reqId: requestIdOf(a.res), provider: a.flow.provider, partner: a.partner.id, account: account.id, created }, 'signed in upstream');
  if (notice && noticeDue(account, a.partner.id, now)) {
    await holdLogin(ctx.store, {
      interactionUid: a.interaction.uid,
      accountId: account.id,
      partnerId: a.partner.id,
      provider: a.flow.provider,
      kind: 'notice',
      createdAt: now,
    });
    return void a.res.redirect(303, `/interaction/${a.interaction.uid}/notice`);
  }
  await finish(ctx, a, account.id, a.flow.provider);
}

/** "Used Weibo before?" in grace: prove who the shopper is, never let them into the shop with it. */
async function completeMigrationSignIn(ctx: LoginContext, a: Arrival): Promise<void> {
  const now = ctx.clock.now();
  const availability = loginAvailability(a.partner, a.flow.provider, ctx.broker.configured(), now);
  if (availability.ok) return completeLogin(ctx, a); // the schedule changed back: an ordinary sign-in
  if (availability.reason !== 'grace') {
    return a.fail(
      new GatewayError('ERR_INTEGRATION_ENDED', `migration with "${a.flow.provider}" closed during the flow (${availability.reason})`, { status: 403 }),
    );
  }
  const account = await findAccountByIdentity(ctx.store, a.identity.keys);
  if (!account) return a.fail(new GatewayError('ERR_MIGRATE_NO_ACCOUNT', `no account holds this ${a.flow.provider} identity`, { status: 404 }));
  await holdLogin(ctx.store, {
    interactionUid: a.interaction.uid,
    accountId: account.id,
    partnerId: a.partner.id,
    provider: a.flow.provider,
    kind: 'migrate',
    createdAt: now,
  });
  a.res.redirect(303, `/interaction/${a.interaction.uid}/migrate`);
}

/**
 * A link started on the account console: the identity goes to the account the flow was started for,
 * and only while that same account is still signed in in this browser (a changed session is refused).
 */
async function completeConsoleLink(ctx: LoginContext, req: Request, res: Response, flow: Flow, identity: UpstreamIdentity): Promise<void> {
  const signed = await currentAccount(ctx.oidc(), ctx.store, req, res);
  if (!signed || signed.account.id !== flow.accountId) {
    throw new GatewayError('ERR_REAUTH_REQUIRED', 'the signed-in account changed during the link', { status: 403, expose: true });
  }
  await linkIdentity(ctx.store, ctx.clock, signed.account.id, identity, await sealedTokenOf(ctx, identity));
  ctx.log.info({ reqId: requestIdOf(res), provider: flow.provider, account: signed.account.id }, 'linked from the account console');
  res.redirect(303, `/account?notice=linked&provider=${encodeURIComponent(flow.provider)}`);
}

/** Linking a replacement to the held account, then continuing to the shop as that same account. */
async function completeLink(ctx: LoginContext, a: Arrival): Promise<void> {
  const pending = await pendingLogin(ctx.store, a.interaction.uid);
  if (!pending || pending.accountId !== a.flow.accountId) {
    return a.fail(new GatewayError('ERR_INTERACTION_LOST', 'the sign-in this link belongs to is gone', { status: 400 }));
  }
  const availability = loginAvailability(a.partner, a.flow.provider, ctx.broker.configured(), ctx.clock.now());
  if (!availability.ok) {
    return a.fail(new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${a.flow.provider}" cannot replace anything here now`, { status: 403 }));
  }
  const { account } = await linkIdentity(ctx.store, ctx.clock, pending.accountId, a.identity, await sealedTokenOf(ctx, a.identity));
  ctx.log.info(
    { reqId: requestIdOf(a.res), provider: a.flow.provider, partner: a.partner.id, account: account.id, replaced: pending.provider },
    'linked a replacement',
  );
  await releaseLogin(ctx.store, a.interaction.uid);
  await finish(ctx, a, account.id, a.flow.provider);
}
