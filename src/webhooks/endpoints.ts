// A partner's webhook endpoints: the URL, the events it wants and its signing secret (shown once when
// created, never again). Creating and removing one is audited in the same write. At most
// MAX_ENDPOINTS per partner.

import { randomBytes } from 'node:crypto';
import { auditOp, type Actor } from '../audit/audit.ts';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
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
  /** `whsec_…`; kept to sign, never shown after creation. */
  secret: string;
  createdAt: EpochMs;
}

export type EndpointView = Omit<WebhookEndpoint, 'secret'>;

export function endpointView(e: WebhookEndpoint): EndpointView {
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

/** Creates the endpoint; resolves to it with its secret (to show once). */
export async function createEndpoint(deps: { store: Store; clock: Clock }, actor: Actor, partner: string, input: NewEndpoint): Promise<WebhookEndpoint> {
  if ((await listEndpoints(deps.store, partner)).length >= MAX_ENDPOINTS) {
    throw new GatewayError('ERR_CONFLICT', `a partner has at most ${MAX_ENDPOINTS} webhook endpoints; remove one first`, { status: 409, expose: true });
  }
  const endpoint: WebhookEndpoint = {
    id: input.id ?? `we_${randomBytes(8).toString('hex')}`,
    partner,
    url: input.url,
    events: [...new Set(input.events)],
    ...(input.description ? { description: input.description } : {}),
    secret: input.secret ?? newWebhookSecret(),
    createdAt: deps.clock.now(),
  };
  await deps.store.batch([
    { op: 'create', collection: ENDPOINTS_COLLECTION, id: endpoint.id, value: endpoint },
    auditOp(deps.clock, () => ({ actor, action: 'webhook.create', target: { partner }, before: null, after: endpointView(endpoint) })),
  ]);
  return endpoint;
}

/** Removes the endpoint of `partner`; ERR_NOT_FOUND (404) when it has no such endpoint. */
export async function removeEndpoint(deps: { store: Store; clock: Clock }, actor: Actor, partner: string, id: string): Promise<void> {
  const endpoint = await deps.store.get<WebhookEndpoint>(ENDPOINTS_COLLECTION, id);
  if (!endpoint || endpoint.partner !== partner)
    throw new GatewayError('ERR_NOT_FOUND', `partner "${partner}" has no webhook endpoint "${id}"`, { status: 404 });
  await deps.store.batch([
    { op: 'delete', collection: ENDPOINTS_COLLECTION, id },
    auditOp(deps.clock, () => ({ actor, action: 'webhook.delete', target: { partner }, before: endpointView(endpoint), after: null })),
  ]);
}
