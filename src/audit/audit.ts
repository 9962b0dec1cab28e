// The append-only audit log: who did what to which target, when, with the state before and after.
// Entries are written in the same atomic batch as the change they describe, never deleted, and edited only
// when an account is deleted: the entries naming it keep the action but lose its personal data
// (src/audit/forget-account.ts).

import { randomBytes } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import type { BatchOp, Store } from '../store/store.ts';

export type ActorKind = 'operator' | 'manager' | 'shopper' | 'system';

export interface Actor {
  kind: ActorKind;
  id: string;
}

export interface AuditEntry {
  id: string;
  at: EpochMs;
  actor: Actor;
  /** `noun.verb`, e.g. `integration.schedule`, `partner.create`, `identity.link`. */
  action: string;
  target: { partner?: string; provider?: string; account?: string; client?: string; manager?: string; key?: string };
  before: unknown;
  after: unknown;
  /** When the personal data of a deleted account was removed from this entry (src/audit/forget-account.ts). */
  erasedAt?: EpochMs;
}

/** Ids sort by time (then randomly among equal instants), so listing by id is listing by time. */
export function auditId(at: EpochMs): string {
  return `${String(Math.max(0, at)).padStart(15, '0')}-${randomBytes(6).toString('hex')}`;
}

/** A batch op appending an entry; `entry` may be computed when the batch applies (after its update). */
export function auditOp(clock: Clock, entry: () => Omit<AuditEntry, 'id' | 'at'>): BatchOp {
  const at = clock.now();
  const id = auditId(at);
  return { op: 'create', collection: 'audit', id, value: () => ({ id, at, ...entry() }) };
}

/**
 * One document update written in the same atomic batch as its audit entry: `change` returns the new
 * document and what the entry needs (`seen`), which `entry` then describes. `also` joins the same batch
 * (e.g. a webhook event, src/webhooks/events.ts), its values computed after the update. Resolves to `seen`.
 */
export async function auditedUpdate<T, R>(
  store: Store,
  clock: Clock,
  collection: string,
  id: string,
  change: (current: T) => { next: T; seen: R },
  entry: (seen: R) => Omit<AuditEntry, 'id' | 'at'>,
  also: readonly BatchOp[] = [],
): Promise<R> {
  let seen: R | undefined;
  await store.batch([
    {
      op: 'update',
      collection,
      id,
      fn: (current: T) => {
        const r = change(current);
        seen = r.seen;
        return r.next;
      },
    },
    auditOp(clock, () => entry(seen as R)),
    ...also,
  ]);
  return seen as R;
}

export async function appendAudit(store: Store, clock: Clock, entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
  const at = clock.now();
  const full: AuditEntry = { id: auditId(at), at, ...entry };
  await store.create('audit', full.id, full);
  return full;
}

export interface AuditQuery {
  partner?: string;
  /** Entries about this shopper account. */
  account?: string;
  actor?: string;
  action?: string;
  from?: EpochMs;
  to?: EpochMs;
  /** Entries older than this id (pagination, newest first). */
  before?: string;
  limit?: number;
}

/** Newest first, filtered; `next` is the cursor for the following page. */
export async function listAudit(store: Store, q: AuditQuery): Promise<{ entries: AuditEntry[]; next?: string }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const index = q.account
    ? { name: 'account', key: q.account }
    : q.partner
      ? { name: 'partner', key: q.partner }
      : q.actor
        ? { name: 'actor', key: q.actor }
        : undefined;
  const entries: AuditEntry[] = [];
  let after = q.before;
  // Page through the index until enough entries pass the remaining filters.
  for (;;) {
    const page = await store.list<AuditEntry>('audit', { order: 'desc', limit: 200, ...(after ? { after } : {}), ...(index ? { index } : {}) });
    for (const { value } of page) {
      after = value.id;
      if (q.actor && `${value.actor.kind}:${value.actor.id}` !== q.actor && value.actor.id !== q.actor) continue;
      if (q.partner && value.target.partner !== q.partner) continue;
      if (q.account && value.target.account !== q.account) continue;
      if (q.action && value.action !== q.action && !value.action.startsWith(`${q.action}.`)) continue;
      if (q.from !== undefined && value.at < q.from) continue;
      if (q.to !== undefined && value.at >= q.to) continue;
      entries.push(value);
      if (entries.length === limit) return { entries, next: value.id };
    }
    if (page.length < 200) return { entries };
  }
}
