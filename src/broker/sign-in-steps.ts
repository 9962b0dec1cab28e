// The named steps sign-in routes are declared with (see steps.ts): each checks one thing about the request
// and records what it found in the sign-in state, or refuses. Routes list them in order, e.g.
// loadInteraction → requireLoginPrompt → loadPartner → chooseLocale → requireAvailable.

import { getAccount } from '../accounts/sign-in.ts';
import { GatewayError } from '../errors.ts';
import { isStoreUnavailable } from '../http/store-unavailable.ts';
import { loginAvailability } from '../partners/availability.ts';
import { getPartner, partnerOfClient } from '../partners/partners.ts';
import { sendProviderEnded } from './ended-page.ts';
import { localeFor } from './locale.ts';
import { pendingLogin, type PendingLogin } from './pending-login.ts';
import { lost, Refusal, type Step } from './steps.ts';

/**
 * The interaction named in the path, if this browser holds it (its cookie is scoped to the path). A store
 * that does not answer is not a lost interaction: that error goes on (503, src/http/store-unavailable.ts).
 */
export const loadInteraction: Step = async (ctx, req, res, s) => {
  const d = await ctx
    .oidc()
    .interactionDetails(req, res)
    .catch((err: unknown) => {
      if (isStoreUnavailable(err)) throw err;
      return undefined;
    });
  if (!d || d.uid !== req.params.uid) throw lost('interaction not found for this browser');
  s.interaction = d;
};

/** The interaction asks the shopper to sign in (not for consent). */
export const requireLoginPrompt: Step = (_ctx, _req, _res, s) => {
  if (s.interaction?.prompt.name !== 'login') throw lost('the interaction is not a login');
};

/** The interaction asks a signed-in shopper for consent. */
export const requireConsentPrompt: Step = (_ctx, _req, _res, s) => {
  if (s.interaction?.prompt.name !== 'consent' || !s.interaction.session?.accountId) throw lost('the interaction is not a consent');
};

/** The partner of the shop that asked for the sign-in. */
export const loadPartner: Step = async (ctx, _req, _res, s) => {
  const partner = s.interaction ? await partnerOfClient(ctx.store, String(s.interaction.params.client_id)) : undefined;
  if (!partner) throw lost('the interaction names no partner');
  s.partner = partner;
};

/** The page's language: the shop's ui_locales, the browser's, the partner's. */
export const chooseLocale: Step = (_ctx, req, _res, s) => {
  s.locale = localeFor(req, s.interaction?.params, s.partner);
};

/** The provider the route is about (the shop's hint already chosen, or the path's) is one Denglu knows. */
export const requireKnownProvider: Step = (ctx, req, _res, s) => {
  const provider = s.provider ?? String(req.params.provider);
  if (!ctx.descriptors.has(provider)) {
    delete s.provider;
    throw new Refusal(new GatewayError('ERR_PROVIDER_UNKNOWN', `unknown provider "${provider}"`, { status: 404 }), { hint: provider });
  }
  s.provider = provider;
};

/**
 * The provider (requireKnownProvider) signs shoppers in to this shop now. In grace or after it, the shopper gets the page saying
 * what happened and how to keep their account (ended-page.ts); otherwise a failure naming the ways that work.
 */
export const requireAvailable: Step = async (ctx, _req, res, s) => {
  const provider = s.provider!; // after requireKnownProvider
  const availability = loginAvailability(s.partner!, provider, ctx.broker.configured(), ctx.clock.now());
  if (availability.ok) return;
  if (availability.reason === 'grace' || availability.reason === 'ended') return sendProviderEnded(ctx, res, s, provider, availability.reason);
  throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `provider "${provider}" is ${availability.reason} at ${s.partner!.id}`, { status: 403 });
};

/** The sign-in this interaction holds (proven upstream, waiting on the notice or migration page), with its account. */
export const loadHeldSignIn: Step = async (ctx, _req, _res, s) => {
  const pending = s.interaction ? await pendingLogin(ctx.store, s.interaction.uid) : undefined;
  if (!pending) throw lost('no pending sign-in for this interaction');
  const [partner, account] = await Promise.all([getPartner(ctx.store, pending.partnerId), getAccount(ctx.store, pending.accountId)]);
  if (!partner || !account) throw lost('the pending sign-in names a partner or account that is gone');
  s.partner = partner;
  s.held = { pending, account };
};

/** The held sign-in is of this kind (the notice may continue at once; a migration must link first). */
export function requireHeld(kind: PendingLogin['kind']): Step {
  const step: Step = (_ctx, _req, _res, s) => {
    if (s.held?.pending.kind !== kind) throw lost(`the pending sign-in is not a ${kind}`);
  };
  Object.defineProperty(step, 'name', { value: `requireHeld(${kind})` });
  return step;
}

/**
 * Denglu's own method `method` (password, phone) signs shoppers in to this shop now, or is in its grace,
 * where signing in with it only proves who the shopper is for the migration page (continue-sign-in.ts).
 */
export function requireMethodOffered(method: string): Step {
  const step: Step = (ctx, _req, _res, s) => {
    s.provider = method;
    const a = loginAvailability(s.partner!, method, ctx.broker.configured(), ctx.clock.now());
    if (!a.ok && a.reason !== 'grace')
      throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `${method} sign-in is ${a.reason} at ${s.partner!.id}`, { status: 403 });
  };
  Object.defineProperty(step, 'name', { value: `requireMethodOffered(${method})` });
  return step;
}

/**
 * Denglu's own method `method` can replace the held sign-in's (loadHeldSignIn) at this shop now. If not, the
 * failure page offers the way back to the held page and to the shop, never another sign-in from here (which
 * could lead into another account; see failureContextOf in steps.ts).
 */
export function requireReplacement(method: string): Step {
  const step: Step = (ctx, _req, _res, s) => {
    const partner = s.partner!;
    if (loginAvailability(partner, method, ctx.broker.configured(), ctx.clock.now()).ok) return;
    // Refused with the held sign-in's ways forward (back to the held page, back to the shop): steps.ts.
    throw new GatewayError('ERR_PROVIDER_UNAVAILABLE', `"${method}" cannot replace anything at ${partner.id} now`, { status: 403 });
  };
  Object.defineProperty(step, 'name', { value: `requireReplacement(${method})` });
  return step;
}
