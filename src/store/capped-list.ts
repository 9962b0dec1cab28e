// What a capped list is and how adding to it and removing from it decide: a document `{ entries }` of
// keyed entries, each with its own expiry, oldest first, never more than a cap of live ones. Adding drops
// the expired entries first; when the list is still full it either refuses the new entry or drops the
// oldest to make room, as the caller asks. The embedded store runs these functions; the PostgreSQL store
// runs the same decision in one statement (migrations/0002_capped_lists.sql), so every instance counts
// the same list without a transaction of read, decide and write. Store.addToList(s) and removeFromList.

import type { EpochMs } from '../clock.ts';

export interface ListEntry {
  key: string;
  expiresAt: EpochMs;
}

export interface CappedList {
  entries: ListEntry[];
}

export interface AddToListOptions {
  /** At most this many live entries (≥ 1). */
  cap: number;
  /** When the list already holds `cap` live entries: refuse the new one, or drop the oldest. */
  whenFull: 'refuse' | 'dropOldest';
}

export type ListAddition = { added: false } | { added: true; dropped: ListEntry[] };

/** One addition of Store.addToLists: the entry for list document `id`. */
export interface ListAdd {
  id: string;
  entry: ListEntry;
  options: AddToListOptions;
}

/** The list after adding `entry` at `now`, and what became of it. */
export function addToCappedList(
  current: CappedList | undefined,
  entry: ListEntry,
  now: EpochMs,
  options: AddToListOptions,
): { next: CappedList; addition: ListAddition } {
  const live = liveEntries(current, now);
  if (live.length >= options.cap && options.whenFull === 'refuse') return { next: { entries: live }, addition: { added: false } };
  const past = Math.max(0, live.length - options.cap + 1);
  return { next: { entries: [...live.slice(past), entry] }, addition: { added: true, dropped: live.slice(0, past) } };
}

/** The list without the entry under `key`. */
export function removeFromCappedList(current: CappedList, key: string): CappedList {
  return { entries: current.entries.filter((e) => e.key !== key) };
}

/** The live entries of a list (also for counting one read with `get`). */
export function liveEntries(list: CappedList | undefined, now: EpochMs): ListEntry[] {
  return (list?.entries ?? []).filter((e) => e.expiresAt > now);
}

/** Refuses a cap or entry the list could not keep (before anything is written). */
export function assertListArguments(collection: string, entry: ListEntry, options: AddToListOptions): void {
  if (typeof entry?.key !== 'string' || entry.key.length === 0) throw new TypeError(`"${collection}" list entries need a non-empty string key`);
  if (typeof entry.expiresAt !== 'number' || !Number.isSafeInteger(Math.ceil(entry.expiresAt))) {
    throw new TypeError(`"${collection}" list entries need expiresAt in epoch milliseconds`);
  }
  if (!Number.isSafeInteger(options.cap) || options.cap < 1) throw new TypeError(`"${collection}" list cap must be a whole number ≥ 1`);
}

/** Refuses additions to several lists that could not all be kept, or that name one list twice. */
export function assertListAdds(collection: string, adds: readonly ListAdd[]): void {
  for (const add of adds) {
    if (typeof add?.id !== 'string' || add.id.length === 0) throw new TypeError(`"${collection}" list ids must be non-empty strings`);
    assertListArguments(collection, add.entry, add.options);
  }
  if (new Set(adds.map((a) => a.id)).size !== adds.length) throw new TypeError(`"${collection}" lists may be added to once per call`);
}
