// The webhook dispatcher, run once per cluster at a time (store.exclusive) on every instance's tick:
// first each recorded event becomes one delivery per subscribed endpoint (the deliveries created and the
// event removed in one batch, so a crash neither loses nor doubles one), then every delivery that is due
// is attempted, signed afresh (Standard Webhooks, signature.ts), and its attempt written back. The queue
// is the store, so a restart resumes where it stopped; a delivery attempted just before a crash may be
// sent again with the same `webhook-id`, which receivers use to ignore the repeat.

import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Sealer } from '../sealer.ts';
import { pairwiseSubject } from '../oidc/pairwise.ts';
import type { BatchOp, Store } from '../store/store.ts';
import type { WebhookAddressPolicy } from './address-policy.ts';
import { DELIVERIES_COLLECTION, RETENTION_MS, withAttempt, type Delivery } from './deliveries.ts';
import { ENDPOINTS_COLLECTION, listEndpoints, type WebhookEndpoint } from './endpoints.ts';
import { EVENTS_COLLECTION, type PendingEvent } from './events.ts';
import { delivered, DEFAULT_POST_LIMITS, postWebhook, type PostLimits } from './outbound.ts';
import { signedHeaders } from './signature.ts';
import { openSecret } from './stored-secret.ts';

export const DISPATCH_JOB = 'webhook-dispatch';
const EVENTS_PER_RUN = 200;
const DELIVERIES_PER_RUN = 100;
const CONCURRENCY = 8;

export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  pairwiseSalt: string;
  policy: WebhookAddressPolicy;
  /** Opens the endpoints' sealed signing secrets (stored-secret.ts). */
  webhookSecrets: Sealer;
  limits?: PostLimits;
}

/** The JSON body a partner's endpoint receives for an event. */
export function deliveryBody(event: PendingEvent, partner: string, salt: string): string {
  const data: Record<string, unknown> = { partner, ...event.data };
  if (event.accountId !== undefined) data.sub = pairwiseSubject(salt, partner, event.accountId);
  return JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data });
}

/** Turns waiting events into deliveries; resolves to how many deliveries were created. */
export async function fanOut(deps: DispatcherDeps): Promise<number> {
  const events = await deps.store.list<PendingEvent>(EVENTS_COLLECTION, { order: 'asc', limit: EVENTS_PER_RUN });
  const endpointsOf = new Map<string, WebhookEndpoint[]>();
  let created = 0;
  for (const { value: event } of events) {
    const ops: BatchOp[] = [];
    for (const partner of new Set(event.partners)) {
      if (!endpointsOf.has(partner)) endpointsOf.set(partner, await listEndpoints(deps.store, partner));
      for (const endpoint of endpointsOf.get(partner)!) {
        if (!endpoint.events.includes(event.type)) continue;
        const id = `${event.id}.${endpoint.id}`;
        const delivery: Delivery = {
          id,
          webhookId: `msg_${event.id}_${endpoint.id}`,
          partner,
          endpoint: endpoint.id,
          url: endpoint.url,
          type: event.type,
          body: deliveryBody(event, partner, deps.pairwiseSalt),
          createdAt: event.at,
          state: 'pending',
          nextAttemptAt: event.at,
          attempts: [],
        };
        ops.push({ op: 'create', collection: DELIVERIES_COLLECTION, id, value: delivery, options: { expiresAt: event.at + RETENTION_MS } });
      }
    }
    ops.push({ op: 'delete', collection: EVENTS_COLLECTION, id: event.id });
    await deps.store.batch(ops);
    created += ops.length - 1;
  }
  return created;
}

/** Attempts one delivery now and records the attempt; resolves to the delivery after it. */
async function attempt(deps: DispatcherDeps, d: Delivery): Promise<Delivery> {
  const endpoint = await deps.store.get<WebhookEndpoint>(ENDPOINTS_COLLECTION, d.endpoint);
  const at = deps.clock.now();
  if (!endpoint) {
    return deps.store.update<Delivery>(DELIVERIES_COLLECTION, d.id, (cur) => {
      const { nextAttemptAt: _n, ...rest } = cur;
      return { ...rest, state: 'failed', attempts: [...cur.attempts, { at, error: 'the endpoint was removed' }] };
    });
  }
  const secret = await openSecret(deps.webhookSecrets, endpoint.secret);
  if (secret === undefined) {
    // Sealed under a cookie key no longer configured: nothing can sign it; the partner adds the endpoint again.
    deps.log.warn({ delivery: d.id, partner: d.partner, endpoint: endpoint.id }, 'webhook signing secret cannot be opened with the configured cookie keys');
    return deps.store.update<Delivery>(DELIVERIES_COLLECTION, d.id, (cur) =>
      withAttempt(cur, { at, error: 'the signing secret cannot be read (the cookie key it was sealed with is gone); add the endpoint again' }, false),
    );
  }
  const headers = signedHeaders(secret, d.webhookId, Math.floor(at / 1000), d.body);
  const outcome = await postWebhook(endpoint.url, headers, d.body, deps.policy, deps.limits ?? DEFAULT_POST_LIMITS);
  const ok = delivered(outcome);
  if (!ok) deps.log.info({ delivery: d.id, partner: d.partner, status: outcome.status, error: outcome.error }, 'webhook attempt failed');
  return deps.store.update<Delivery>(DELIVERIES_COLLECTION, d.id, (cur) => withAttempt(cur, { at, ...outcome }, ok));
}

/** Attempts the deliveries due now, a few at a time; resolves to how many were attempted. */
export async function deliverDue(deps: DispatcherDeps): Promise<number> {
  const now = deps.clock.now();
  const due = (await deps.store.find<Delivery>(DELIVERIES_COLLECTION, 'due', 'pending'))
    .filter((d) => d.state === 'pending' && (d.nextAttemptAt ?? 0) <= now)
    .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.id.localeCompare(b.id))
    .slice(0, DELIVERIES_PER_RUN);
  let i = 0;
  const worker = async () => {
    while (i < due.length) {
      const d = due[i++]!;
      await attempt(deps, d).catch((err: Error) => deps.log.warn({ delivery: d.id, err: { message: err.message } }, 'webhook delivery not recorded'));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
  return due.length;
}

/** One dispatcher run, unless another is running in the cluster. Resolves to whether it ran. */
export async function dispatchWebhooks(deps: DispatcherDeps): Promise<{ ran: boolean; created: number; attempted: number }> {
  const outcome = await deps.store.exclusive(DISPATCH_JOB, async () => {
    const created = await fanOut(deps);
    const attempted = await deliverDue(deps);
    return { created, attempted };
  });
  return outcome.ran ? { ran: true, ...outcome.value } : { ran: false, created: 0, attempted: 0 };
}
