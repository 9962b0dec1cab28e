// What the audit log keeps of a deleted account: the fact of every action, not the person. Each entry that
// names the account — as its target, or as the shopper who acted — keeps its time, action, shop, provider
// and the kind of actor, but the account id is replaced by a tombstone id and the states before and after
// (which hold the email, the phone number, a provider's subject and display name) are dropped; `erasedAt`
// says when. The tombstone is one-way (a SHA-256 of the id): the entries of one deleted account still read
// as one story, and an operator who is given the old id can find them (`tombstoneId`), but nothing stored
// leads back from the tombstone to a person. The deletion's own entry is written with the tombstone.

import { createHash } from 'node:crypto';
import type { EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { Actor, AuditEntry } from './audit.ts';

const AUDIT = 'audit';
const BATCH = 100;

/** The id that stands for a deleted account in the audit log: `deleted-` and 32 hex digits. */
export function tombstoneId(accountId: string): string {
  return `deleted-${createHash('sha256').update(`denglu deleted account\0${accountId}`).digest('hex').slice(0, 32)}`;
}

/** The actor, with a shopper acting as this account replaced by its tombstone. */
export function forgottenActor(actor: Actor, accountId: string): Actor {
  return actor.kind === 'shopper' && actor.id === accountId ? { kind: 'shopper', id: tombstoneId(accountId) } : actor;
}

/** The entry without the account's personal data (pure). */
export function forgetInEntry(entry: AuditEntry, accountId: string, now: EpochMs): AuditEntry {
  const target = entry.target.account === accountId ? { ...entry.target, account: tombstoneId(accountId) } : entry.target;
  return { ...entry, actor: forgottenActor(entry.actor, accountId), target, before: null, after: null, erasedAt: now };
}

/** Rewrites every entry naming the account (found by the audit's `account` and `actor` indexes); resolves to how many. */
export async function forgetInAudit(store: Store, accountId: string, now: EpochMs): Promise<number> {
  const byTarget = await store.find<AuditEntry>(AUDIT, 'account', accountId);
  const byActor = await store.find<AuditEntry>(AUDIT, 'actor', `shopper:${accountId}`);
  const ids = [...new Set([...byTarget, ...byActor].map((e) => e.id))];
  for (let i = 0; i < ids.length; i += BATCH) {
    await store.batch(
      ids.slice(i, i + BATCH).map((id) => ({ op: 'update' as const, collection: AUDIT, id, fn: (e: AuditEntry) => forgetInEntry(e, accountId, now) })),
    );
  }
  return ids.length;
}
