// Where oidc-provider meets the integration lifecycle: login-prompt checks that make a shopper sign in
// again when the way their Denglu session was obtained no longer works at this shop (after a cutoff no new
// sign-in rides on it, whatever the policy), or when the shop's provider hint names another way than the
// session's (a hint names the method to use); and the refresh guard that refuses refresh tokens obtained
// through a cut-off provider (per the cutoff policy).

import { errors, interactionPolicy, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { refreshMayContinue, sessionMayContinue } from '../partners/cutoff-policy.ts';
import { nativeMethodOf } from '../accounts/phone-method.ts';

const { Check } = interactionPolicy;

export interface LifecycleDeps {
  store: Store;
  clock: Clock;
  /** Provider ids that appear in `amr`. */
  providerIds: ReadonlySet<string>;
  /** Providers this deployment can reach. */
  configured: () => ReadonlySet<string>;
}

/**
 * The sign-in method a session or token was obtained through, from its `amr`: the provider of
 * `["fed", "weibo"]`, or the native method of `["pwd"]` (password) or `["sms"]` (phone), so a native
 * session follows that method's integration.
 */
export function providerOf(amr: unknown, providerIds: { has(id: string): boolean }): string | undefined {
  if (!Array.isArray(amr)) return undefined;
  const native = nativeMethodOf(amr);
  const provider = amr.find((m) => typeof m === 'string' && m !== native && providerIds.has(m));
  return provider ?? native;
}

export function interactionPolicyWithLifecycle(deps: LifecycleDeps) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new Check('provider_unavailable', 'the way this session signed in no longer works at this shop', async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      if (!oidc.session?.accountId || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const provider = providerOf(oidc.session.amr, deps.providerIds);
      if (!provider) return Check.NO_NEED_TO_PROMPT;
      const partner = await partnerOfClient(deps.store, oidc.client!.clientId);
      if (!partner) return Check.REQUEST_PROMPT;
      return sessionMayContinue(partner, provider, deps.configured(), deps.clock.now()) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  policy.get('login')!.checks.add(
    new Check('provider_hint', 'the shop asked for another way of signing in than the session used', (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const hint = oidc.params?.provider;
      if (!oidc.session?.accountId || oidc.result?.login || typeof hint !== 'string' || !deps.providerIds.has(hint)) return Check.NO_NEED_TO_PROMPT;
      return providerOf(oidc.session.amr, deps.providerIds) === hint ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/** Throws invalid_grant for a refresh token whose provider's cutoff revoked it at this shop. */
export async function assertRefreshAllowed(deps: LifecycleDeps, ctx: KoaContextWithOIDC, token: Parameters<FindAccount>[2]): Promise<void> {
  if (token?.kind !== 'RefreshToken') return;
  const provider = providerOf(token.amr, deps.providerIds);
  if (!provider) return;
  const partner = await partnerOfClient(deps.store, ctx.oidc.client!.clientId);
  if (!partner || !refreshMayContinue(partner, provider, deps.configured(), deps.clock.now())) {
    throw new errors.InvalidGrant(`sign-in with ${provider} has ended at this shop`);
  }
}
