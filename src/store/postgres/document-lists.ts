// Capped lists on PostgreSQL (Store.addToList / removeFromList; src/store/capped-list.ts decides what
// they are): one statement each, the decision made by the functions of migrations/0002_capped_lists.sql
// inside the write. An add is an INSERT … ON CONFLICT DO UPDATE: concurrent adders of one list queue on
// its row lock and each sees the others' entries, so no instance admits past the cap; an expired
// document counts as empty. A new list is the entry alone (what denglu_list_add makes of no list with a
// cap of at least 1), written without calling the function: PostgreSQL evaluates the VALUES of an insert
// before it finds the conflict, so the function ran twice on every add to an existing list. Removing an
// entry rewrites only the lists that hold it.

import type { EpochMs } from '../../clock.ts';
import type { AddToListOptions, ListAddition, ListEntry } from '../capped-list.ts';
import type { Queryable } from './database.ts';
import { ASYNC_COMMIT, CHANGES_CHANNEL, expiry, statements, tail, variant, type WriteShape } from './document-writes.ts';

const ADD = statements(
  'list_add',
  (v) => `WITH d AS (
    INSERT INTO documents AS t (collection, id, doc, expires_at)
    VALUES ($1, $2, jsonb_build_object('entries', jsonb_build_array($3::jsonb), 'added', true, 'dropped', '[]'::jsonb)::json, $7::bigint)
    ON CONFLICT (collection, id) DO UPDATE
      SET doc = denglu_list_add(CASE WHEN t.expires_at IS NULL OR t.expires_at > $4::bigint THEN t.doc::jsonb END, $3::jsonb, $4::bigint, $5::integer, $6::boolean)::json,
          expires_at = greatest(CASE WHEN t.expires_at IS NULL OR t.expires_at > $4::bigint THEN t.expires_at END, $7::bigint)
    RETURNING doc
  ) SELECT doc${tail(v)} FROM d`,
);

export async function addToList(
  db: Queryable,
  shape: WriteShape,
  id: string,
  entry: ListEntry,
  options: AddToListOptions,
  now: EpochMs,
): Promise<ListAddition> {
  const entryJson = JSON.stringify({ key: entry.key, expiresAt: entry.expiresAt });
  const values = [shape.name, id, entryJson, now, options.cap, options.whenFull === 'dropOldest', expiry(shape, entry.expiresAt)];
  const { rows } = await db.query<{ doc: { added: boolean; dropped: ListEntry[] } }>({ ...ADD.get(variant(shape))!, values });
  const doc = rows[0]!.doc;
  return doc.added ? { added: true, dropped: doc.dropped } : { added: false };
}

const REMOVE = statements(
  'list_remove',
  (v) => `WITH d AS (
    UPDATE documents SET doc = denglu_list_remove(doc::jsonb, $3)::json
    WHERE collection = $1 AND id = ANY($2::text[]) AND (expires_at IS NULL OR expires_at > $4::bigint)
      AND EXISTS (SELECT 1 FROM json_array_elements(doc -> 'entries') e WHERE e ->> 'key' = $3)
    RETURNING id
  ) SELECT d.id${v.notify ? `, pg_notify('${CHANGES_CHANNEL}', $1 || ':' || d.id)` : ''}${v.asyncCommit ? ASYNC_COMMIT : ''} FROM d`,
);

export async function removeFromList(db: Queryable, shape: WriteShape, ids: readonly string[], key: string, now: EpochMs): Promise<void> {
  if (ids.length === 0) return;
  await db.query({ ...REMOVE.get(variant(shape))!, values: [shape.name, [...new Set(ids)], key, now] });
}
