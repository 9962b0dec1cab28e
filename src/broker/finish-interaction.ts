// Ends an oidc-provider interaction from anywhere, by uid: the provider's callback arrives on its own
// path (`/cb/<id>`), where the interaction cookie (scoped to /interaction/<uid>) is not sent. The
// result is saved on the interaction and the browser resumes at its `returnTo` (/auth/<uid>).
// A result adds to what earlier interactions of the same authorization request resolved (the
// interaction's `lastSubmission`), as oidc-provider's own interactionFinished does: a consent given
// after a forced login must not drop that login, or `prompt=login` asks again (and "login consent"
// loops). An error replaces everything. A caller that answers with oidc-provider's resume in this same
// request (`resumeIn`) has the result kept on that request rather than saved (interaction-in-request.ts).

import type { IncomingMessage } from 'node:http';
import type { Grant, Interaction } from 'oidc-provider';
import type { OidcProvider } from '../oidc/provider.ts';
import { amrOf } from '../accounts/phone-method.ts';
import { interactionInRequest } from '../oidc/interaction-in-request.ts';

export type InteractionResult =
  | { login: { accountId: string; amr: string[]; remember: boolean; ts: number }; consent?: { grantId: string } }
  | { consent: { grantId: string } }
  | { error: 'access_denied' | 'temporarily_unavailable' | 'login_required'; error_description: string };

export async function loadInteraction(oidc: OidcProvider, uid: string) {
  return oidc.Interaction.find(uid);
}

/**
 * Saves the result and returns where the browser resumes; undefined when the interaction is gone.
 * `interaction` is the uid, or the Interaction already loaded in this request (saves a lookup; its
 * details without the model's methods are looked up by uid). With `resumeIn`, the request that resumes
 * in place (ctx.resume) next, the result is kept on it instead of saved.
 */
export async function finishInteraction(
  oidc: OidcProvider,
  interactionOrUid: string | Interaction,
  result: InteractionResult,
  resumeIn?: IncomingMessage,
): Promise<string | undefined> {
  const loaded = typeof interactionOrUid !== 'string' && typeof interactionOrUid.save === 'function';
  const interaction = loaded ? interactionOrUid : await oidc.Interaction.find(typeof interactionOrUid === 'string' ? interactionOrUid : interactionOrUid.uid);
  if (!interaction) return undefined;
  interaction.result = 'error' in result ? result : { ...interaction.lastSubmission, ...result };
  // oidc-provider keeps interaction expiry in its own (real-time) seconds.
  const remaining = interaction.exp - Math.floor(Date.now() / 1000);
  if (remaining <= 0) return undefined;
  if (resumeIn) await interactionInRequest.keep(resumeIn, interaction);
  else await interaction.save(remaining);
  return interaction.returnTo;
}

/** A grant covering everything the authorization request asked for (first-party shops, or consent given); its id. */
export async function grantAll(oidc: OidcProvider, interaction: Interaction, accountId: string): Promise<string> {
  return (await savedGrantAll(oidc, interaction, accountId)).grantId;
}

/** grantAll, with the Grant as saved (a resume in the same request needs not read it again). */
async function savedGrantAll(oidc: OidcProvider, interaction: Interaction, accountId: string): Promise<{ grantId: string; grant: Grant }> {
  const clientId = interaction.params.client_id as string;
  let grant = interaction.grantId ? await oidc.Grant.find(interaction.grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) grant = new oidc.Grant({ accountId, clientId });
  const scope = typeof interaction.params.scope === 'string' ? interaction.params.scope : 'openid';
  grant.addOIDCScope(scope);
  const details = interaction.prompt?.details ?? {};
  if (Array.isArray(details.missingOIDCClaims)) grant.addOIDCClaims(details.missingOIDCClaims);
  return { grantId: await grant.save(), grant };
}

/** Where a finished login resumes, and the grant it saved for a first-party shop. */
export interface FinishedLogin {
  returnTo: string;
  grant?: Grant;
}

/**
 * Finishes a login interaction for `accountId`, granting first-party shops at once (no consent hop);
 * undefined when it is gone. `resumeIn`: as for finishInteraction.
 */
export async function finishLogin(
  oidc: OidcProvider,
  interaction: Interaction,
  firstParty: boolean,
  accountId: string,
  provider: string,
  resumeIn?: IncomingMessage,
): Promise<FinishedLogin | undefined> {
  // A password sign-in is `pwd`, a phone one `sms` (RFC 8176); a provider's is federated through it. `ts` is the
  // sign-in's instant (the ID token's auth_time), kept when a later consent resolves the same request; it
  // is in oidc-provider's own real-time seconds, which its max_age checks compare with.
  const login = { accountId, amr: amrOf(provider), remember: true, ts: Math.floor(Date.now() / 1000) };
  const saved = firstParty ? await savedGrantAll(oidc, interaction, accountId) : undefined;
  const outcome = saved ? { login, consent: { grantId: saved.grantId } } : { login };
  const returnTo = await finishInteraction(oidc, interaction, outcome, resumeIn);
  if (!returnTo) return undefined;
  return saved ? { returnTo, grant: saved.grant } : { returnTo };
}
