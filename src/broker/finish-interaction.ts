// Ends an oidc-provider interaction from anywhere, by uid: the provider's callback arrives on its own
// path (`/cb/<id>`), where the interaction cookie (scoped to /interaction/<uid>) is not sent. The
// result is saved on the interaction and the browser resumes at its `returnTo` (/auth/<uid>).
// A result adds to what earlier interactions of the same authorization request resolved (the
// interaction's `lastSubmission`), as oidc-provider's own interactionFinished does: a consent given
// after a forced login must not drop that login, or `prompt=login` asks again (and "login consent"
// loops). An error replaces everything.

import type { Interaction } from 'oidc-provider';
import type { OidcProvider } from '../oidc/provider.ts';
import { amrOf } from '../accounts/phone-method.ts';

export type InteractionResult =
  | { login: { accountId: string; amr: string[]; remember: boolean; ts: number }; consent?: { grantId: string } }
  | { consent: { grantId: string } }
  | { error: 'access_denied' | 'temporarily_unavailable' | 'login_required'; error_description: string };

export async function loadInteraction(oidc: OidcProvider, uid: string) {
  return oidc.Interaction.find(uid);
}

/** Saves the result and returns where the browser resumes; undefined when the interaction is gone. */
/** `interaction` is the uid, or the Interaction already loaded in this request (saves a lookup). */
export async function finishInteraction(oidc: OidcProvider, interactionOrUid: string | Interaction, result: InteractionResult): Promise<string | undefined> {
  const interaction = typeof interactionOrUid === 'string' ? await oidc.Interaction.find(interactionOrUid) : interactionOrUid;
  if (!interaction) return undefined;
  interaction.result = 'error' in result ? result : { ...interaction.lastSubmission, ...result };
  // oidc-provider keeps interaction expiry in its own (real-time) seconds.
  const remaining = interaction.exp - Math.floor(Date.now() / 1000);
  if (remaining <= 0) return undefined;
  await interaction.save(remaining);
  return interaction.returnTo;
}

/** A grant covering everything the authorization request asked for (first-party shops, or consent given). */
export async function grantAll(oidc: OidcProvider, interaction: Interaction, accountId: string): Promise<string> {
  const clientId = interaction.params.client_id as string;
  let grant = interaction.grantId ? await oidc.Grant.find(interaction.grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) grant = new oidc.Grant({ accountId, clientId });
  const scope = typeof interaction.params.scope === 'string' ? interaction.params.scope : 'openid';
  grant.addOIDCScope(scope);
  const details = interaction.prompt?.details ?? {};
  if (Array.isArray(details.missingOIDCClaims)) grant.addOIDCClaims(details.missingOIDCClaims);
  return grant.save();
}

/** Finishes a login interaction for `accountId`, granting first-party shops at once (no consent hop). */
export async function finishLogin(
  oidc: OidcProvider,
  interaction: Interaction,
  firstParty: boolean,
  accountId: string,
  provider: string,
): Promise<string | undefined> {
  // A password sign-in is `pwd`, a phone one `sms` (RFC 8176); a provider's is federated through it. `ts` is the
  // sign-in's instant (the ID token's auth_time), kept when a later consent resolves the same request; it
  // is in oidc-provider's own real-time seconds, which its max_age checks compare with.
  const login = { accountId, amr: amrOf(provider), remember: true, ts: Math.floor(Date.now() / 1000) };
  const outcome = firstParty ? { login, consent: { grantId: await grantAll(oidc, interaction, accountId) } } : { login };
  return finishInteraction(oidc, typeof interaction.save === 'function' ? interaction : interaction.uid, outcome);
}
