// The durable delivery queue and its log: one document per (event, endpoint) in `webhook_deliveries`,
// holding the signed body, its state and every attempt with the response code. `webhook-id` is the
// idempotency key, the same on every retry. A failed attempt is retried with exponential backoff
// (30 s, 1 min, 2 min, … at most 4 h apart) until 24 h after the event, with one last attempt at 24 h;
// then the delivery is `failed`. Deliveries are kept for RETENTION_MS, then swept.

import type { EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { WebhookEventType } from './events.ts';

export const DELIVERIES_COLLECTION = 'webhook_deliveries';
export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_GAP_MS = 4 * 3_600_000;
export const RETRY_WINDOW_MS = 24 * 3_600_000;
export const RETENTION_MS = 30 * 86_400_000;

export interface DeliveryAttempt {
  at: EpochMs;
  status?: number;
  error?: string;
  responseExcerpt?: string;
}

export interface Delivery {
  /** `<event id>.<endpoint id>`: sorts by the event's time. */
  id: string;
  /** The `webhook-id` header: the receiver's idempotency key. */
  webhookId: string;
  partner: string;
  endpoint: string;
  url: string;
  type: WebhookEventType;
  /** The JSON body sent, byte for byte the same on every attempt. */
  body: string;
  createdAt: EpochMs;
  state: 'pending' | 'delivered' | 'failed';
  nextAttemptAt?: EpochMs;
  attempts: DeliveryAttempt[];
}

/** When to try again after `failures` failed attempts of a delivery created at `createdAt`; undefined: give up. */
export function nextAttemptAfter(createdAt: EpochMs, failures: number, lastAt: EpochMs): EpochMs | undefined {
  const deadline = createdAt + RETRY_WINDOW_MS;
  if (lastAt >= deadline) return undefined;
  const gap = Math.min(FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 30), MAX_RETRY_GAP_MS);
  return Math.min(lastAt + gap, deadline);
}

/** The delivery after one attempt. */
export function withAttempt(d: Delivery, attempt: DeliveryAttempt, ok: boolean): Delivery {
  const attempts = [...d.attempts, attempt];
  if (ok) {
    const { nextAttemptAt: _n, ...rest } = d;
    return { ...rest, attempts, state: 'delivered' };
  }
  const next = nextAttemptAfter(d.createdAt, attempts.length, attempt.at);
  const { nextAttemptAt: _n, ...rest } = d;
  return next === undefined ? { ...rest, attempts, state: 'failed' } : { ...rest, attempts, state: 'pending', nextAttemptAt: next };
}

export interface DeliveryQuery {
  endpoint?: string;
  /** Deliveries older than this id (pagination, newest first). */
  before?: string;
  limit?: number;
}

/** A partner's delivery log, newest first; `next` is the cursor for the following page. */
export async function listDeliveries(store: Store, partner: string, q: DeliveryQuery = {}): Promise<{ deliveries: Delivery[]; next?: string }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const out: Delivery[] = [];
  let after = q.before;
  for (;;) {
    const page = await store.list<Delivery>(DELIVERIES_COLLECTION, {
      index: { name: 'partner', key: partner },
      order: 'desc',
      limit: 200,
      ...(after ? { after } : {}),
    });
    for (const { value } of page) {
      after = value.id;
      if (q.endpoint && value.endpoint !== q.endpoint) continue;
      out.push(value);
      if (out.length === limit) return { deliveries: out, next: value.id };
    }
    if (page.length < 200) return { deliveries: out };
  }
}
