// Store.upsertMany on PostgreSQL: a read-modify-write of many documents of one collection in one
// transaction, a constant number of statements however many documents (per chunk of UPSERT_CHUNK ids: one
// lock, one write). The ids are sorted and every chunk's existing rows locked in id order (SELECT … ORDER BY
// id FOR UPDATE) before anything is written, then the absent ids inserted in id order: two callers on
// overlapping ids from any instances wait for each other rather than deadlock. An absent id cannot be
// locked: it is inserted if still absent (ON CONFLICT DO NOTHING); when another instance created it
// meanwhile it is not overwritten: the transaction runs again and computes it from what that instance
// wrote. The write keeps the index keys and notifications as a single write does (document-writes.ts), and
// every row it writes fires the documents triggers (migrations/0003's side table) like any other write.

import type { EpochMs } from '../../clock.ts';
import type { UpsertItem } from '../store.ts';
import type { Queryable } from './database.ts';
import { ASYNC_COMMIT, CHANGES_CHANNEL, expiry, rethrowWithKeys, serialise, statements, type Variant, variant, type WriteShape } from './document-writes.ts';

/** Ids per lock and write statement. */
export const UPSERT_CHUNK = 500;

const LOCK_MANY = 'SELECT id, doc, expires_at FROM documents WHERE collection = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE';

/**
 * The write of a chunk ($1 collection; $2–$5 per document: id, JSON, expiry, whether its row existed (and
 * is locked by this transaction); indexed: $6–$9 per key: id, index name, key, unique). Existing rows are
 * updated, absent ones inserted unless another instance created them meanwhile; answers the ids inserted.
 * The old keys are found by `id = ANY`, through the primary key (a join on `upd` alone read the collection's
 * every key: 25 ms at 100,000 summaries), and compared by NOT IN, a hashed subplan (NOT EXISTS, planned
 * without statistics, compared every key with every new one: 30 against 18 ms for 400 documents).
 */
function upsertText(indexed: boolean, v: Variant): string {
  const docs = `WITH i AS (SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::boolean[]) AS i(id, json, expires_at, existed)),
  upd AS (
    UPDATE documents d SET doc = i.json::json, expires_at = i.expires_at FROM i
    WHERE d.collection = $1 AND d.id = i.id AND i.existed
    RETURNING d.id
  ),
  ins AS (
    INSERT INTO documents (collection, id, doc, expires_at)
    SELECT $1, i.id, i.json::json, i.expires_at FROM i WHERE NOT i.existed
    ON CONFLICT (collection, id) DO NOTHING
    RETURNING id
  )`;
  const keys = `, k AS (SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::boolean[]) AS k(id, index_name, key, is_unique)),
  gone AS (
    DELETE FROM index_keys x USING upd WHERE x.collection = $1 AND x.id = ANY($2::text[]) AND x.id = upd.id
      AND (x.id, x.index_name, x.key) NOT IN (SELECT k.id, k.index_name, k.key FROM k)
  ),
  added AS (
    INSERT INTO index_keys (collection, index_name, key, id, is_unique)
    SELECT $1, k.index_name, k.key, k.id, k.is_unique FROM k WHERE k.id IN (SELECT id FROM upd UNION ALL SELECT id FROM ins)
    ON CONFLICT (collection, index_name, key, id) DO NOTHING
  )`;
  const notify = v.notify
    ? `, (SELECT count(pg_notify('${CHANGES_CHANNEL}', $1 || ':' || w.id)) FROM (SELECT id FROM upd UNION ALL SELECT id FROM ins) w) AS notified`
    : '';
  return `${docs}${indexed ? keys : ''}
  SELECT array(SELECT id FROM ins) AS inserted${notify}${v.asyncCommit ? ASYNC_COMMIT : ''}`;
}

const UPSERTS = { true: statements('upsert_i', (v) => upsertText(true, v)), false: statements('upsert_p', (v) => upsertText(false, v)) };

interface Locked {
  doc: unknown;
  expiresAt: EpochMs | undefined;
  live: boolean;
}

/** A chunk's computed writes, as the write statement takes them. */
interface Planned {
  ids: string[];
  jsons: string[];
  expiries: (number | null)[];
  existed: boolean[];
  keys: { ids: string[]; names: string[]; keys: string[]; unique: boolean[] };
}

/**
 * Applies the items in the transaction of `client` (the caller's BEGIN … COMMIT): every lock (all chunks)
 * before any write, then the writes. Ids must be distinct (the caller checks). A taken unique key rejects
 * with the database's unique violation; an id another instance created since the lock rejects with
 * CreatedMeanwhile: the caller rolls back and runs it again, which then finds and locks that row.
 */
export async function upsertDocuments<T>(client: Queryable, shape: WriteShape, items: readonly UpsertItem<T>[], now: EpochMs): Promise<void> {
  const byId = new Map(items.map((item) => [item.id, item]));
  const sorted = [...byId.keys()].sort();
  const chunks: string[][] = [];
  for (let start = 0; start < sorted.length; start += UPSERT_CHUNK) chunks.push(sorted.slice(start, start + UPSERT_CHUNK));
  const locked = new Map<string, Locked>();
  for (const ids of chunks) for (const [id, row] of await lockRows(client, shape.name, ids, now)) locked.set(id, row);
  for (const ids of chunks) {
    const plan = planChunk(shape, ids, byId, locked);
    if (plan.ids.length === 0) continue;
    const inserted = new Set(await writeChunk(client, shape, plan));
    if (plan.ids.some((id, i) => !plan.existed[i] && !inserted.has(id))) throw new CreatedMeanwhile();
  }
}

/**
 * An id was absent when the rows were locked and another instance created it before the insert. Running
 * the transaction again, not just locking that row now, keeps the order every transaction waits in: row
 * locks in id order, then inserts in id order (a row lock taken after an insert could close a cycle with a
 * transaction that holds that row and waits for the insert).
 */
export class CreatedMeanwhile extends Error {
  constructor() {
    super('a document was created by another writer meanwhile');
  }
}

/** How often upsertMany runs its transaction again after CreatedMeanwhile before giving up. */
export const CREATED_MEANWHILE_RETRIES = 5;

async function lockRows(client: Queryable, collection: string, ids: string[], now: EpochMs): Promise<Map<string, Locked>> {
  const { rows } = await client.query<{ id: string; doc: unknown; expires_at: string | null }>({
    name: 'denglu_lock_many',
    text: LOCK_MANY,
    values: [collection, ids],
  });
  return new Map(
    rows.map((r) => {
      const expiresAt = r.expires_at === null ? undefined : Number(r.expires_at);
      return [r.id, { doc: r.doc, expiresAt, live: expiresAt === undefined || expiresAt > now }];
    }),
  );
}

/** Runs each item's fn on its locked document (undefined when absent or expired), in id order. */
function planChunk<T>(shape: WriteShape, ids: readonly string[], byId: ReadonlyMap<string, UpsertItem<T>>, locked: ReadonlyMap<string, Locked>): Planned {
  const plan: Planned = { ids: [], jsons: [], expiries: [], existed: [], keys: { ids: [], names: [], keys: [], unique: [] } };
  for (const id of ids) {
    const item = byId.get(id)!;
    const row = locked.get(id);
    const current = row?.live ? row : undefined;
    const next = item.fn(current?.doc as T | undefined);
    if (next === undefined) continue;
    const s = serialise(shape, id, next);
    plan.ids.push(id);
    plan.jsons.push(s.json);
    plan.expiries.push(expiry(shape, item.options && 'expiresAt' in item.options ? item.options.expiresAt : current?.expiresAt));
    plan.existed.push(row !== undefined);
    for (let i = 0; i < s.keys.length; i++) {
      plan.keys.ids.push(id);
      plan.keys.names.push(s.names[i]!);
      plan.keys.keys.push(s.keys[i]!);
      plan.keys.unique.push(s.unique[i]!);
    }
  }
  return plan;
}

/** Writes a chunk in one statement; answers the ids it inserted. */
async function writeChunk(client: Queryable, shape: WriteShape, plan: Planned): Promise<string[]> {
  const indexed = shape.indexes.length > 0;
  const values: unknown[] = [shape.name, plan.ids, plan.jsons, plan.expiries, plan.existed];
  if (indexed) values.push(plan.keys.ids, plan.keys.names, plan.keys.keys, plan.keys.unique);
  const { rows } = await client
    .query<{ inserted: string[] }>({ ...UPSERTS[`${indexed}`].get(variant(shape))!, values })
    .catch((err: unknown) => rethrowWithKeys(err, shape, plan.keys));
  return rows[0]!.inserted;
}
