// What a shop can be told, and how an event waits to be delivered: an event is first a small document in
// `webhook_events`, written in the same batch as the change it reports (a link or unlink adds no round
// trip to the shopper's request), then the dispatcher (dispatcher.ts) turns it into one delivery per
// subscribed endpoint. Account events name the partners the account has used; each shop later gets its
// own pairwise `sub`, never the account id nor another shop's `sub`.

import { auditId } from '../audit/audit.ts';
import type { Clock, EpochMs } from '../clock.ts';
import type { BatchOp } from '../store/store.ts';

export const WEBHOOK_EVENT_TYPES = ['integration.phase_changed', 'identity.linked', 'identity.unlinked', 'account.deleted'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const EVENTS_COLLECTION = 'webhook_events';

/** An event not yet fanned out to endpoints. Ids sort by time. */
export interface PendingEvent {
  id: string;
  type: WebhookEventType;
  at: EpochMs;
  /** The partners to tell (each one's endpoints subscribed to `type`). */
  partners: string[];
  /** For account events: whose, so each shop gets its own pairwise `sub`. Never sent. */
  accountId?: string;
  /** What the event says, the same for every partner (besides `partner` and `sub`). */
  data: Record<string, unknown>;
}

/** A batch op recording an event; `build` may run when the batch applies (after an update op before it). */
export function eventOp(clock: Clock, build: () => Omit<PendingEvent, 'id' | 'at'>): BatchOp {
  const at = clock.now();
  const id = auditId(at);
  return { op: 'create', collection: EVENTS_COLLECTION, id, value: () => ({ id, at, ...build() }) };
}

/**
 * The event of a shopper's sign-in method linked or unlinked (or the account deleted): the shops to tell
 * are those the account has signed in to, read from the account when the batch applies.
 */
export function accountEventOp(
  clock: Clock,
  type: 'identity.linked' | 'identity.unlinked' | 'account.deleted',
  accountId: string,
  partners: () => string[],
  data: Record<string, unknown> = {},
): BatchOp {
  return eventOp(clock, () => ({ type, accountId, partners: partners(), data }));
}
