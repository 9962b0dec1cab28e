// What the admin API's handlers need, built once from the app's dependencies: the store, the clock,
// which providers Denglu knows (registry) and which this deployment configured, and the credentials
// (with the sealer of webhook signing secrets).

import type { UpstreamRevoker } from '../accounts/upstream-revoke.ts';
import type { ProviderDescriptor } from '../../providers/contract.ts';
import { PASSWORD_DESCRIPTOR, PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_DESCRIPTOR, PHONE_METHOD } from '../accounts/phone-method.ts';
import type { AppDeps } from '../app.ts';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Partner } from '../partners/partner.ts';
import type { Sealer } from '../sealer.ts';
import type { Store } from '../store/store.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import type { WebhookAddressPolicy } from '../webhooks/address-policy.ts';
import { loadPairwiseSalt } from '../oidc/secrets.ts';

export interface AdminContext {
  store: Store;
  clock: Clock;
  log: Logger;
  production: boolean;
  operatorToken: string;
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  /** Providers with an adapter in this build (what an integration may name). */
  knownProviders: ReadonlySet<string>;
  /** Providers this deployment has credentials for (what a login page can show). */
  configured: ReadonlySet<string>;
  /** The configured providers that are an upstream round trip (not Denglu's own methods): the chooser's buttons. */
  upstream: ReadonlySet<string>;
  /** The gateway's bounded hash queue: admin secrets are checked in it too. */
  hashes: HashQueue;
  /** Where webhook endpoints may point (src/webhooks/address-policy.ts). */
  webhookPolicy: WebhookAddressPolicy;
  /** Seals a new endpoint's signing secret before it is stored (src/webhooks/stored-secret.ts). */
  webhookSecrets: Sealer;
  /** Revokes a deleted account's provider grants (src/accounts/upstream-revoke.ts). */
  grants: UpstreamRevoker;
  /** The salt of the shops' pairwise `sub` values (the impact report's CSV names shoppers by them). */
  pairwiseSalt: () => Promise<string>;
}

export function adminContext(deps: AppDeps, hashes: HashQueue, webhookSecrets: Sealer, grants: UpstreamRevoker): AdminContext {
  // The native `password` is a sign-in method partners list like a provider, always configured; `phone`
  // too, configured when the deployment can send texts (SMS_SENDER).
  const descriptors = new Map([...deps.providers.values()].map((m) => [m.descriptor.id, m.descriptor]));
  descriptors.set(PASSWORD_METHOD, PASSWORD_DESCRIPTOR);
  descriptors.set(PHONE_METHOD, PHONE_DESCRIPTOR);
  const upstream = new Set(Object.keys(deps.config.providers).filter((id) => deps.providers.has(id)));
  return {
    store: deps.store,
    clock: deps.clock,
    log: deps.log,
    production: deps.config.production,
    operatorToken: deps.config.admin.operatorToken,
    descriptors,
    knownProviders: new Set(descriptors.keys()),
    configured: new Set([...upstream, PASSWORD_METHOD, ...(deps.config.sms ? [PHONE_METHOD] : [])]),
    upstream,
    hashes,
    webhookPolicy: deps.config.webhooks,
    webhookSecrets,
    grants,
    pairwiseSalt: () => loadPairwiseSalt(deps.store, deps.config.pairwiseSalt),
  };
}

export async function loadPartner(ctx: AdminContext, id: string): Promise<Partner> {
  const partner = await ctx.store.get<Partner>('partners', id);
  if (!partner) throw new GatewayError('ERR_NOT_FOUND', `partner "${id}" does not exist`, { status: 404 });
  return partner;
}
