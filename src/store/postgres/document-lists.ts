// Capped lists on PostgreSQL (Store.addToList(s) / removeFromList; src/store/capped-list.ts decides what
// they are): one statement each, the decision made by the functions of migrations/0002_capped_lists.sql
// inside the write. An add is an INSERT … ON CONFLICT DO UPDATE: concurrent adders of one list queue on
// its row lock and each sees the others' entries, so no instance admits past the cap; an expired
// document counts as empty. Adding to several lists chains such inserts in one statement, each made only
// when the one before it added. A new list is the entry alone (what denglu_list_add makes of no list with
// a cap of at least 1), written without calling the function: PostgreSQL evaluates the row of an insert
// before it finds the conflict, so the function ran twice on every add to an existing list. Removing an
// entry rewrites only the lists that hold it.

import type { EpochMs } from '../../clock.ts';
import type { ListAdd, ListAddition, ListEntry } from '../capped-list.ts';
import type { Queryable } from './database.ts';
import { ASYNC_COMMIT, CHANGES_CHANNEL, expiry, type Variant, variant, type WriteShape } from './document-writes.ts';

/**
 * The statement adding to `n` lists: one data-modifying CTE per list ($1 collection, $2 now; then per list
 * its id, entry, cap, drop-oldest flag and document expiry), each after the first made only when the one
 * before it added its entry. The lists are distinct rows, so no CTE needs to see another's write.
 */
function addText(n: number, v: Variant): string {
  const lists = Array.from({ length: n }, (_, i) => {
    const [id, entry, cap, dropOldest, expires] = [3, 4, 5, 6, 7].map((p) => `$${p + 5 * i}`);
    const live = (column: string) => `CASE WHEN t.expires_at IS NULL OR t.expires_at > $2::bigint THEN ${column} END`;
    const add = (current: string) => `denglu_list_add(${current}, ${entry}::jsonb, $2::bigint, ${cap}::integer, ${dropOldest}::boolean)`;
    const row = `$1, ${id}, jsonb_build_object('entries', jsonb_build_array(${entry}::jsonb), 'added', true, 'dropped', '[]'::jsonb)::json, ${expires}::bigint`;
    return `l${i} AS (
    INSERT INTO documents AS t (collection, id, doc, expires_at)
    ${i === 0 ? `VALUES (${row})` : `SELECT ${row} WHERE (SELECT (doc ->> 'added')::boolean FROM l${i - 1})`}
    ON CONFLICT (collection, id) DO UPDATE
      SET doc = ${add(live('t.doc::jsonb'))}::json,
          expires_at = greatest(${live('t.expires_at')}, ${expires}::bigint)
    RETURNING doc
  )`;
  });
  const answers = lists.map((_, i) => `(SELECT doc FROM l${i}) AS l${i}`);
  const notices = v.notify ? lists.map((_, i) => `, pg_notify('${CHANGES_CHANNEL}', $1 || ':' || $${3 + 5 * i})`) : [];
  return `WITH ${lists.join(', ')} SELECT ${answers.join(', ')}${notices.join('')}${v.asyncCommit ? ASYNC_COMMIT : ''}`;
}

/** Prepared statements by number of lists and variant, each made when first needed. */
function bySize(prefix: string, text: (n: number, v: Variant) => string): (n: number, v: Variant) => { name: string; text: string } {
  const made = new Map<string, { name: string; text: string }>();
  return (n, v) => {
    const key = `${n}${variant(v)}`;
    let statement = made.get(key);
    if (!statement) {
      statement = { name: `denglu_${prefix}${key}`, text: text(n, v) };
      made.set(key, statement);
    }
    return statement;
  };
}

const addStatement = bySize('list_add', addText);

/** Adds to each list in order in one statement; a list after a refusal is left as it was (not added). */
export async function addToLists(db: Queryable, shape: WriteShape, adds: readonly ListAdd[], now: EpochMs): Promise<ListAddition[]> {
  if (adds.length === 0) return [];
  const values: unknown[] = [shape.name, now];
  for (const { id, entry, options } of adds) {
    values.push(
      id,
      JSON.stringify({ key: entry.key, expiresAt: entry.expiresAt }),
      options.cap,
      options.whenFull === 'dropOldest',
      expiry(shape, entry.expiresAt),
    );
  }
  const { rows } = await db.query<Record<string, { added: boolean; dropped: ListEntry[] } | null>>({ ...addStatement(adds.length, shape), values });
  return adds.map((_, i) => {
    const doc = rows[0]![`l${i}`];
    return doc?.added ? { added: true, dropped: doc.dropped } : { added: false };
  });
}

/** Lists one remove statement names at most; more are removed from in several statements. */
const REMOVE_MAX = 4;

/**
 * The statement removing an entry from `n` lists ($1 collection, $2 key, $3 now, then the list ids). The ids
 * are scalar parameters (`id IN ($4, …)`), not one array: for `id = ANY($n::text[])` PostgreSQL's generic
 * plan assumes a long array and costs four times the custom one, so the default plan_cache_mode planned
 * this statement afresh on every execution. Only lists holding the entry are rewritten (and locked).
 */
function removeText(n: number, v: Variant): string {
  const ids = Array.from({ length: n }, (_, i) => `$${4 + i}`).join(', ');
  return `WITH d AS (
    UPDATE documents SET doc = denglu_list_remove(doc::jsonb, $2)::json
    WHERE collection = $1 AND id IN (${ids}) AND (expires_at IS NULL OR expires_at > $3::bigint)
      AND EXISTS (SELECT 1 FROM json_array_elements(doc -> 'entries') e WHERE e ->> 'key' = $2)
    RETURNING id
  ) SELECT d.id${v.notify ? `, pg_notify('${CHANGES_CHANNEL}', $1 || ':' || d.id)` : ''}${v.asyncCommit ? ASYNC_COMMIT : ''} FROM d`;
}

const removeStatement = bySize('list_remove', removeText);

export async function removeFromList(db: Queryable, shape: WriteShape, ids: readonly string[], key: string, now: EpochMs): Promise<void> {
  const distinct = [...new Set(ids)];
  for (let i = 0; i < distinct.length; i += REMOVE_MAX) {
    const some = distinct.slice(i, i + REMOVE_MAX);
    await db.query({ ...removeStatement(some.length, shape), values: [shape.name, key, now, ...some] });
  }
}
