// A partner's webhook endpoints: the URL, the events it wants and its signing secret (shown once when
// created, never again; stored sealed: stored-secret.ts). Creating and removing one is audited in the
// same write. At most MAX_ENDPOINTS per partner.

import { randomBytes } from 'node:crypto';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Sealer } from '../sealer.ts';
import type { Store } from '../store/store.ts';
import { newWebhookSecret } from './signature.ts';
import type { WebhookEventType } from './events.ts';

export const ENDPOINTS_COLLECTION = 'webhook_endpoints';
export const MAX_ENDPOINTS = 10;

export interface WebhookEndpoint {
  id: string;
  partner: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  /** The `whsec_…` sealed (stored-secret.ts); kept to sign, never shown after creation. Plain text in an endpoint written before sealing. */
  secret: string;
  createdAt: EpochMs;
}

export type EndpointView = Omit<WebhookEndpoint, 'secret'>;
/** A new endpoint as its creator sees it, once: with its `whsec_…` in plain text. */
export type CreatedEndpoint = EndpointView & { secret: string };

export interface EndpointDeps {
  store: Store;
  clock: Clock;
  /** Seals the signing secret before it is stored (stored-secret.ts). */
  webhookSecrets: Sealer;
}

export function endpointView(e: EndpointView & { secret?: string }): EndpointView {
  const { secret: _secret, ...view } = e;
  return view;
}

export async function listEndpoints(store: Store, partner: string): Promise<WebhookEndpoint[]> {
  const found = await store.find<WebhookEndpoint>(ENDPOINTS_COLLECTION, 'partner', partner);
  return [...found].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export interface NewEndpoint {
  url: string;
  events: WebhookEventType[];
  description?: string;
  /** Only for seeding the sandbox with a known secret; a partner always gets a generated one. */
  secret?: string;
  id?: string;
}

/** Creates the endpoint; resolves to it with its secret in plain text (to show once). */
export async function createEndpoint(deps: EndpointDeps, actor: Actor, partner: string, input: NewEndpoint): Promise<CreatedEndpoint> {
  if ((await listEndpoints(deps.store, partner)).length >= MAX_ENDPOINTS) {
    throw new GatewayError('ERR_CONFLICT', `a partner has at most ${MAX_ENDPOINTS} webhook endpoints; remove one first`, {
      status: 409,
      rule: 'webhook.limit',
      params: { max: MAX_ENDPOINTS },
    });
  }
  const view: EndpointView = {
    id: input.id ?? `we_${randomBytes(8).toString('hex')}`,
    partner,
    url: input.url,
    events: [...new Set(input.events)],
    ...(input.description ? { description: input.description } : {}),
    createdAt: deps.clock.now(),
  };
  const secret = input.secret ?? newWebhookSecret();
  const endpoint: WebhookEndpoint = { ...view, secret: await deps.webhookSecrets.seal(secret) };
  await deps.store.batch([
    { op: 'create', collection: ENDPOINTS_COLLECTION, id: endpoint.id, value: endpoint },
    auditOp(deps.clock, () => ({ actor, action: 'webhook.create', target: { partner }, before: null, after: view })),
  ]);
  return { ...view, secret };
}

/** Removes the endpoint of `partner`; ERR_NOT_FOUND (404) when it has no such endpoint. */
export async function removeEndpoint(deps: { store: Store; clock: Clock }, actor: Actor, partner: string, id: string): Promise<void> {
  const endpoint = await deps.store.get<WebhookEndpoint>(ENDPOINTS_COLLECTION, id);
  if (!endpoint || endpoint.partner !== partner)
    throw new GatewayError('ERR_NOT_FOUND', `partner "${partner}" has no webhook endpoint "${id}"`, { status: 404, rule: 'webhook.unknown', params: { id } });
  await deps.store.batch([
    { op: 'delete', collection: ENDPOINTS_COLLECTION, id },
    auditOp(deps.clock, () => ({ actor, action: 'webhook.delete', target: { partner }, before: endpointView(endpoint), after: null })),
  ]);
}
