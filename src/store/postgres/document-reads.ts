// Reads of the PostgreSQL store: one statement each (one round trip), named so every pooled connection
// prepares it once. "Live" is decided against the gateway's clock ($now), never the database's now().

import type { EpochMs } from '../../clock.ts';
import type { DumpedDocument, ListOptions } from '../store.ts';
import type { Queryable } from './database.ts';

const LIVE = '(expires_at IS NULL OR expires_at > $now)';

/** A statement text with `$now` and friends replaced by positional parameters. */
function live(text: string, nowParam: number): string {
  return text.replaceAll('$now', `$${nowParam}`);
}

const GET = live(`SELECT doc, expires_at, xmin::text AS version FROM documents WHERE collection = $1 AND id = $2 AND ${LIVE}`, 3);

/** A live document with its expiry and row version (xmin: for a conditional update later in the request). */
export interface VersionedDocument {
  doc: unknown;
  expiresAt: EpochMs | undefined;
  version: string;
}

function versioned(row: { doc: unknown; expires_at: string | null; version: string }): VersionedDocument {
  return { doc: row.doc, expiresAt: row.expires_at === null ? undefined : Number(row.expires_at), version: row.version };
}

export async function getDocument(db: Queryable, collection: string, id: string, now: EpochMs): Promise<VersionedDocument | undefined> {
  const { rows } = await db.query({ name: 'denglu_get', text: GET, values: [collection, id, now] });
  return rows[0] ? versioned(rows[0]) : undefined;
}

/**
 * Each key of the index, then its document by primary key in a LATERAL subquery with LIMIT 1: PostgreSQL
 * cannot fold such a subquery into a join, so it always runs as a nested loop of primary-key lookups, one per
 * key, whatever the planner believes about the tables. As a join (or `id = ANY(…)`), a generic plan made
 * without statistics (a fresh database, a table grown since its last ANALYZE, a server without autovacuum)
 * scanned every document of the collection and filtered on the id: 240–390 buffers and 1–1.5 ms a find in
 * the benchmark, against 6 buffers this way.
 */
const BY_KEY = (columns: string, live: string) =>
  `index_keys k CROSS JOIN LATERAL (SELECT ${columns} FROM documents d WHERE d.collection = k.collection AND d.id = k.id AND ${live} LIMIT 1) d`;

const FIND = live(
  `SELECT d.id, d.doc, d.expires_at, d.version FROM ${BY_KEY('d.id, d.doc, d.expires_at, d.xmin::text AS version', LIVE)}
   WHERE k.collection = $1 AND k.index_name = $2 AND k.key = $3 ORDER BY k.id`,
  4,
);

export async function findDocuments(
  db: Queryable,
  collection: string,
  index: string,
  key: string,
  now: EpochMs,
): Promise<({ id: string; value: unknown } & VersionedDocument)[]> {
  const { rows } = await db.query({ name: 'denglu_find', text: FIND, values: [collection, index, key, now] });
  return rows.map((r) => ({ id: r.id, value: r.doc, ...versioned(r) }));
}

/** One statement per shape of list (by index or not, order, after or not): each plans well and is prepared once. */
function listStatement(collection: string, options: ListOptions, now: EpochMs): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [collection, now, options.limit ?? null];
  let where = 'd.collection = $1';
  let from = 'documents d';
  let liveFilter = 'AND (d.expires_at IS NULL OR d.expires_at > $2)';
  if (options.index) {
    from = BY_KEY('d.id, d.doc', '(d.expires_at IS NULL OR d.expires_at > $2)');
    liveFilter = '';
    values.push(options.index.name, options.index.key);
    where = `k.collection = $1 AND k.index_name = $${values.length - 1} AND k.key = $${values.length}`;
  }
  const desc = options.order === 'desc';
  // By index: the cursor and the order on the index key's own id (k.id = d.id), so a page starts where the
  // last one ended in index_keys_by_key instead of joining every id before the cursor again.
  const id = options.index ? 'k.id' : 'd.id';
  if (options.after !== undefined) {
    values.push(options.after);
    where += ` AND ${id} ${desc ? '<' : '>'} $${values.length}`;
  }
  return {
    name: `denglu_list_${options.index ? 'i' : 'c'}${desc ? 'd' : 'a'}${options.after !== undefined ? 'k' : 'f'}`,
    text: `SELECT d.id, d.doc FROM ${from} WHERE ${where} ${liveFilter} ORDER BY ${id} ${desc ? 'DESC' : 'ASC'} LIMIT $3`,
    values,
  };
}

export async function listDocuments(db: Queryable, collection: string, options: ListOptions, now: EpochMs): Promise<{ id: string; value: unknown }[]> {
  const { rows } = await db.query(listStatement(collection, options, now));
  return rows.map((r) => ({ id: r.id, value: r.doc }));
}

const COUNT = live(`SELECT count(*)::int AS n FROM documents WHERE collection = $1 AND ${LIVE}`, 2);

export async function countDocuments(db: Queryable, collection: string, now: EpochMs): Promise<number> {
  const { rows } = await db.query({ name: 'denglu_count', text: COUNT, values: [collection, now] });
  return rows[0].n;
}

const DUMP = live(`SELECT id, doc, expires_at FROM documents WHERE collection = $1 AND ${LIVE} ORDER BY id LIMIT $3`, 2);
const DUMP_AFTER = live(`SELECT id, doc, expires_at FROM documents WHERE collection = $1 AND id > $4 AND ${LIVE} ORDER BY id LIMIT $3`, 2);

export async function dumpDocuments(db: Queryable, collection: string, after: string | undefined, limit: number, now: EpochMs): Promise<DumpedDocument[]> {
  const { rows } = await db.query(
    after === undefined
      ? { name: 'denglu_dump', text: DUMP, values: [collection, now, limit] }
      : { name: 'denglu_dump_after', text: DUMP_AFTER, values: [collection, now, limit, after] },
  );
  return rows.map((r) => (r.expires_at === null ? { id: r.id, value: r.doc } : { id: r.id, value: r.doc, expiresAt: Number(r.expires_at) }));
}

/** Every row of a (small, cached) collection with its JSON text, expired ones included. */
export async function readWholeCollection(db: Queryable, collection: string): Promise<{ id: string; json: string; expiresAt: EpochMs | undefined }[]> {
  const { rows } = await db.query({
    name: 'denglu_read_all',
    text: 'SELECT id, doc::text AS json, expires_at FROM documents WHERE collection = $1',
    values: [collection],
  });
  return rows.map((r) => ({ id: r.id, json: r.json, expiresAt: r.expires_at === null ? undefined : Number(r.expires_at) }));
}

export async function collectionStats(db: Queryable): Promise<Map<string, { documents: number; bytes: number }>> {
  const { rows } = await db.query(
    'SELECT collection, count(*)::int AS n, coalesce(sum(pg_column_size(doc)), 0)::bigint AS bytes FROM documents GROUP BY collection',
  );
  return new Map(rows.map((r) => [r.collection, { documents: r.n, bytes: Number(r.bytes) }]));
}
