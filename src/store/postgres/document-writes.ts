// Writes of the PostgreSQL store. A create or put is one statement (data-modifying CTEs: the document, its
// index keys, the change notification), so it is atomic on its own and costs one round trip; inside a
// transaction (update, batch) the same statement runs on the transaction's connection. Unchanged index
// keys are not rewritten; a collection without indexes skips the index work entirely. Unique keys come
// from the partial unique index of index_keys: a taken key is a unique violation (see conflictOf).

import type { EpochMs } from '../../clock.ts';
import { GatewayError } from '../../errors.ts';
import type { CollectionSpec, DumpedDocument } from '../store.ts';
import { Database, isUniqueViolation, type Queryable } from './database.ts';

/** The channel every instance LISTENs on; payload `collection:id`. */
export const CHANGES_CHANNEL = 'denglu_changes';

/** What a collection's writes need to know of its spec. */
export interface WriteShape {
  name: string;
  /** index name → unique? (empty: no index work) */
  indexes: [string, boolean][];
  spec: CollectionSpec;
  /** Writes tell other instances (pg_notify) */
  notify: boolean;
  /**
   * Commits without waiting for the WAL flush (synchronous_commit off for that transaction): sessions,
   * tokens and sign-ins in progress, as the embedded store syncs its ephemeral group in the background. A
   * gateway crash loses nothing; a database crash may lose the last fraction of a second of them. Domain
   * data (accounts, partners, audit) always waits for the flush.
   */
  asyncCommit: boolean;
}

export function writeShape(spec: CollectionSpec, notify: boolean): WriteShape {
  return {
    name: spec.name,
    indexes: Object.entries(spec.indexes ?? {}).map(([n, s]) => [n, s.unique === true]),
    spec,
    notify,
    asyncCommit: spec.group !== 'domain',
  };
}

export type Variant = { notify: boolean; asyncCommit: boolean };
/** A shape's variant of a statement: notifying or not, flushed or not (in the final SELECT of a CTE). */
export function tail(v: Variant): string {
  return `${v.notify ? NOTIFY : ''}${v.asyncCommit ? ASYNC_COMMIT : ''}`;
}
export function variant(v: Variant): string {
  return `${v.notify ? 'n' : 's'}${v.asyncCommit ? 'a' : 'f'}`;
}
const VARIANTS: Variant[] = [false, true].flatMap((notify) => [false, true].map((asyncCommit) => ({ notify, asyncCommit })));

/** The JSON text of a document being written (validated) and its index keys, deduplicated. */
export function serialise(shape: WriteShape, id: string, value: unknown): { json: string; names: string[]; keys: string[]; unique: boolean[] } {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`"${shape.name}" ids must be non-empty strings`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`"${shape.name}" documents must be JSON values`);
  const names: string[] = [];
  const keys: string[] = [];
  const unique: boolean[] = [];
  for (const [name, isUnique] of shape.indexes) {
    for (const key of new Set(shape.spec.indexes![name]!.keys(value))) {
      names.push(name);
      keys.push(key);
      unique.push(isUnique);
    }
  }
  return { json, names, keys, unique };
}

/** An expiry as the bigint column holds it: whole milliseconds, rounded up (never earlier than asked). */
export function expiry(shape: WriteShape, expiresAt: EpochMs | undefined): number | null {
  if (expiresAt === undefined) return null;
  // Past ±2^53 (the bigint column would take more, JavaScript could not read it back exactly).
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(Math.ceil(expiresAt))) throw new TypeError(`"${shape.name}" expiresAt must be epoch milliseconds`);
  return Math.ceil(expiresAt);
}

const NOTIFY = `, pg_notify('${CHANGES_CHANNEL}', $1 || ':' || $2)`;
/** Local to the statement's own (implicit or explicit) transaction; read when it commits. */
export const ASYNC_COMMIT = ", set_config('synchronous_commit', 'off', true)";

/**
 * The index-key CTEs of a write, after its document CTE `d`: keys the document no longer has are deleted,
 * new ones inserted, unchanged ones left alone ($1 collection, $2 id, $7–$9 names, keys, unique flags).
 */
const KEYS = `, k AS (SELECT * FROM unnest($7::text[], $8::text[], $9::boolean[]) AS k(index_name, key, is_unique)),
  gone AS (
    DELETE FROM index_keys x WHERE x.collection = $1 AND x.id = $2 AND EXISTS (SELECT 1 FROM d)
      AND NOT EXISTS (SELECT 1 FROM k WHERE k.index_name = x.index_name AND k.key = x.key)
  ),
  added AS (
    INSERT INTO index_keys (collection, index_name, key, id, is_unique)
    SELECT $1, k.index_name, k.key, $2, k.is_unique FROM k WHERE EXISTS (SELECT 1 FROM d)
    ON CONFLICT (collection, index_name, key, id) DO NOTHING
  )`;

/** The final SELECT's notification of a written document (only when `d` wrote it). */
function notifyWritten(shape: Variant): string {
  return shape.notify ? `, CASE WHEN w.written THEN pg_notify('${CHANGES_CHANNEL}', $1 || ':' || $2) END` : '';
}

/**
 * The write statement. Every CTE reads the statement's snapshot, but the INSERT … ON CONFLICT DO UPDATE
 * waits for a concurrent writer of the same row and then updates the version that writer committed, whose
 * index keys that snapshot cannot see (nor delete). So the update applies only to the version the snapshot
 * saw (`seen`, by xmin); otherwise it writes nothing (`written` false) and writeDocument takes the row lock
 * and runs it again with a fresh snapshot. Unchanged, the row's keys are all visible to `gone`. Answers
 * the version written (xmin), for a later conditional update in the same request.
 */
function writeText(indexed: boolean, shape: Variant): string {
  const doc = `WITH seen AS (
    SELECT xmin AS version, (expires_at IS NULL OR expires_at > $5::bigint) AS live FROM documents WHERE collection = $1 AND id = $2
  ),
  d AS (
    INSERT INTO documents AS t (collection, id, doc, expires_at) VALUES ($1, $2, $3::json, $4::bigint)
    ON CONFLICT (collection, id) DO UPDATE SET doc = EXCLUDED.doc, expires_at = EXCLUDED.expires_at
      WHERE t.xmin = (SELECT version FROM seen) AND (NOT $6::boolean OR t.expires_at <= $5::bigint)
    RETURNING xmin::text AS version
  )`;
  return `${doc}${indexed ? KEYS : ''}
  SELECT w.written IS NOT NULL AS written, w.version, EXISTS (SELECT 1 FROM seen WHERE live) AS was_live${notifyWritten(shape)}${shape.asyncCommit ? ASYNC_COMMIT : ''}
  FROM (SELECT 1) one LEFT JOIN (SELECT true AS written, version FROM d) w ON true`;
}

/**
 * A conditional update: the live document replaced only if it is still at the version the request read
 * ($5); otherwise nothing is written and the caller takes the locked path. Never inserts, so a document
 * deleted meanwhile stays deleted. An UPDATE waits for a concurrent writer of the row and then re-checks
 * its version, so of two updates from one version exactly one writes.
 */
function casText(indexed: boolean, shape: Variant): string {
  const doc = `WITH d AS (
    UPDATE documents SET doc = $3::json, expires_at = $4::bigint
    WHERE collection = $1 AND id = $2 AND xmin = $5::xid AND (expires_at IS NULL OR expires_at > $6::bigint)
    RETURNING xmin::text AS version
  )`;
  return `${doc}${indexed ? KEYS : ''}
  SELECT w.written IS NOT NULL AS written, w.version${notifyWritten(shape)}${shape.asyncCommit ? ASYNC_COMMIT : ''}
  FROM (SELECT 1) one LEFT JOIN (SELECT true AS written, version FROM d) w ON true`;
}

/** Each statement in each variant, built once, by name. */
export function statements(prefix: string, build: (v: Variant) => string): Map<string, { name: string; text: string }> {
  return new Map(VARIANTS.map((v) => [variant(v), { name: `denglu_${prefix}_${variant(v)}`, text: build(v) }]));
}
const WRITES = { true: statements('write_i', (v) => writeText(true, v)), false: statements('write_p', (v) => writeText(false, v)) };
const CAS_WRITES = { true: statements('cas_i', (v) => casText(true, v)), false: statements('cas_p', (v) => casText(false, v)) };

/**
 * Inserts or replaces a document with its index keys. `create`: only when the id is absent or expired,
 * else ERR_ALREADY_EXISTS. A taken unique key rejects with the database's unique violation.
 */
export async function writeDocument(
  db: Queryable,
  shape: WriteShape,
  id: string,
  value: unknown,
  expiresAt: EpochMs | undefined,
  create: boolean,
  now: EpochMs,
): Promise<string> {
  const s = serialise(shape, id, value);
  const indexed = shape.indexes.length > 0;
  const values: unknown[] = [shape.name, id, s.json, expiry(shape, expiresAt), now, create];
  if (indexed) values.push(s.names, s.keys, s.unique);
  const statement = WRITES[`${indexed}`].get(variant(shape))!;
  const attempt = async (on: Queryable): Promise<string | undefined> => {
    const { rows } = await on
      .query<{ written: boolean; version: string; was_live: boolean }>({ ...statement, values })
      .catch((err: unknown) => rethrowWithKeys(err, shape, s));
    if (rows[0]!.written) return rows[0]!.version;
    if (create && rows[0]!.was_live) throw new GatewayError('ERR_ALREADY_EXISTS', `"${shape.name}" already has ${JSON.stringify(id)}`, { status: 409 });
    return undefined; // another writer changed the document after this statement's snapshot: nothing was written
  };
  const first = await attempt(db);
  if (first !== undefined) return first;
  // Contended: take the row lock first (a transaction of its own unless already in one), so the next
  // statement's snapshot is taken after every other writer of the document is through.
  const locked = async (client: Queryable): Promise<string> => {
    for (let round = 1; round <= STALE_RETRIES; round++) {
      await client.query({ name: 'denglu_lock_row', text: LOCK_ROW, values: [shape.name, id] });
      const version = await attempt(client);
      if (version !== undefined) return version;
    }
    throw new GatewayError('ERR_STORE_UNAVAILABLE', `"${shape.name}" document ${JSON.stringify(id)} kept changing under concurrent writes; try again`, {
      status: 503,
    });
  };
  return db instanceof Database ? db.transaction(locked) : locked(db);
}

/**
 * Replaces the live document only if it is still at `version` (see casText): the new version, or
 * undefined when another writer changed or removed it since (nothing written).
 */
export async function writeIfUnchanged(
  db: Queryable,
  shape: WriteShape,
  id: string,
  value: unknown,
  expiresAt: EpochMs | undefined,
  version: string,
  now: EpochMs,
): Promise<string | undefined> {
  const s = serialise(shape, id, value);
  const indexed = shape.indexes.length > 0;
  const values: unknown[] = [shape.name, id, s.json, expiry(shape, expiresAt), version, now];
  if (indexed) values.push(s.names, s.keys, s.unique);
  const { rows } = await db
    .query<{ written: boolean; version: string }>({ ...CAS_WRITES[`${indexed}`].get(variant(shape))!, values })
    .catch((err: unknown) => rethrowWithKeys(err, shape, s));
  return rows[0]!.written ? rows[0]!.version : undefined;
}

/**
 * A string as an SQL literal (for beginAndLock), exactly as pg's escapeLiteral writes it (quotes doubled;
 * with a backslash, an E'' literal with backslashes doubled), but by native replaceAll (escapeLiteral
 * appends character by character).
 */
export function quoted(text: string): string {
  return text.includes('\\') ? ` E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'` : `'${text.replaceAll("'", "''")}'`;
}

const LOCK_ROW = 'SELECT 1 FROM documents WHERE collection = $1 AND id = $2 FOR UPDATE';

/** How often a write holding the row lock runs again (only a concurrent insert of an absent id makes it stale). */
const STALE_RETRIES = 5;

/** delete removes a document expired or not (saying whether it was live); take only a live one (returning it). */
const REMOVES = {
  delete: statements(
    'delete',
    (v) =>
      `WITH d AS (DELETE FROM documents WHERE collection = $1 AND id = $2 RETURNING (expires_at IS NULL OR expires_at > $3) AS live)
       SELECT live${tail(v)} FROM d`,
  ),
  take: statements(
    'take',
    (v) =>
      `WITH d AS (DELETE FROM documents WHERE collection = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3) RETURNING doc)
       SELECT doc${tail(v)} FROM d`,
  ),
};

async function removeDocument(
  db: Queryable,
  kind: keyof typeof REMOVES,
  shape: WriteShape,
  id: string,
  now: EpochMs,
): Promise<{ live?: boolean; doc?: unknown } | undefined> {
  const { rows } = await db.query({ ...REMOVES[kind].get(variant(shape))!, values: [shape.name, id, now] });
  return rows[0];
}

/** Removes a document (expired or not); true when it was live. */
export async function deleteDocument(db: Queryable, shape: WriteShape, id: string, now: EpochMs): Promise<boolean> {
  return (await removeDocument(db, 'delete', shape, id, now))?.live === true;
}

/** Single use: removes a live document and returns it; of concurrent takers one gets it, the others undefined. */
export async function takeDocument(db: Queryable, shape: WriteShape, id: string, now: EpochMs): Promise<unknown> {
  return (await removeDocument(db, 'take', shape, id, now))?.doc;
}

type LockedRow = { doc: unknown; expiresAt: EpochMs | undefined };

/**
 * BEGIN and the live document, row-locked until the transaction ends (update): one round trip, as one
 * simple-protocol query (which takes no parameters, hence the escaped literals).
 */
export async function beginAndLock(db: Queryable, collection: string, id: string, now: EpochMs): Promise<LockedRow | undefined> {
  const results = (await db.query(
    `BEGIN; SELECT doc, expires_at FROM documents WHERE collection = ${quoted(collection)} AND id = ${quoted(id)}
     AND (expires_at IS NULL OR expires_at > ${Math.trunc(now)}) FOR UPDATE`,
  )) as unknown as { rows: { doc: unknown; expires_at: string | null }[] }[];
  return lockedRow(results[1]!.rows[0]);
}

const LOCK_TEXT = 'SELECT doc, expires_at FROM documents WHERE collection = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3) FOR UPDATE';

/** The live document, row-locked until the transaction ends (an update op of a batch). */
export async function lockDocument(db: Queryable, collection: string, id: string, now: EpochMs): Promise<LockedRow | undefined> {
  const { rows } = await db.query({ name: 'denglu_lock', text: LOCK_TEXT, values: [collection, id, now] });
  return lockedRow(rows[0]);
}

function lockedRow(row: { doc: unknown; expires_at: string | null } | undefined): LockedRow | undefined {
  return row ? { doc: row.doc, expiresAt: row.expires_at === null ? undefined : Number(row.expires_at) } : undefined;
}

/** The unique keys a write tried to take, for the unique violation it met (see rethrowWithKeys). */
interface AttemptedKeys {
  collection: string;
  names: string[];
  keys: string[];
}
const attempted = new WeakMap<object, AttemptedKeys>();

/**
 * A unique violation remembers which unique keys its write asked for, so that what follows needs no
 * parsing of the database's message (localised by the server's lc_messages: a server set to zh_CN
 * words its detail in Chinese).
 */
export function rethrowWithKeys(err: unknown, shape: WriteShape, s: { names: string[]; keys: string[]; unique: boolean[] }): never {
  if (isUniqueViolation(err)) {
    const unique = s.unique.flatMap((u, i) => (u ? [i] : []));
    attempted.set(err, { collection: shape.name, names: unique.map((i) => s.names[i]!), keys: unique.map((i) => s.keys[i]!) });
  }
  throw err;
}

/** The collection, index and key a unique violation names (from its detail, when worded in English), for ERR_CONFLICT. */
export function conflictOf(err: unknown): { collection: string; index: string; key: string } | undefined {
  if (!isUniqueViolation(err)) return undefined;
  const m = /^Key \(collection, index_name, key\)=\((.*)\) already exists\.?$/s.exec(err.detail ?? '');
  if (!m) return undefined;
  const [collection, index, ...rest] = m[1]!.split(', ');
  return collection && index ? { collection, index, key: rest.join(', ') } : undefined;
}

export function conflictError(err: unknown): GatewayError {
  const c = conflictOf(err);
  const tried = attempted.get(err as object);
  let what = 'a unique key is already taken';
  if (c) what = `"${c.collection}.${c.index}" already holds key ${JSON.stringify(c.key)}`;
  else if (tried?.keys.length === 1) what = `"${tried.collection}.${tried.names[0]}" already holds key ${JSON.stringify(tried.keys[0])}`;
  else if (tried) what = `"${tried.collection}" already holds one of the keys ${tried.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return new GatewayError('ERR_CONFLICT', what, { status: 409 });
}

const DROP_EXPIRED_HOLDERS = `DELETE FROM documents d USING index_keys x, unnest($2::text[], $3::text[]) AS k(index_name, key)
  WHERE x.collection = $1 AND x.index_name = k.index_name AND x.key = k.key AND x.is_unique
    AND d.collection = x.collection AND d.id = x.id AND d.expires_at <= $4`;

/**
 * After a unique violation: deletes the expired documents holding the keys the write asked for (expired
 * holders do not count). true when one was deleted, so the write may be tried again. A violation of a
 * bulk load (no keys recorded) falls back to the key its detail names.
 */
export async function dropExpiredHolders(db: Queryable, err: unknown, now: EpochMs): Promise<boolean> {
  const tried = attempted.get(err as object);
  const c = tried ? undefined : conflictOf(err);
  const target = tried ?? (c ? { collection: c.collection, names: [c.index], keys: [c.key] } : undefined);
  if (!target || target.keys.length === 0) return false;
  const { rowCount } = await db.query({
    name: 'denglu_drop_expired_holders',
    text: DROP_EXPIRED_HOLDERS,
    values: [target.collection, target.names, target.keys, now],
  });
  return (rowCount ?? 0) > 0;
}

/** Deletes expired documents in chunks (never one huge transaction); returns how many. */
export async function sweepExpired(db: Queryable, now: EpochMs, chunk = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query({
      name: 'denglu_sweep',
      text: `DELETE FROM documents WHERE (collection, id) IN (SELECT collection, id FROM documents WHERE expires_at <= $1 LIMIT $2)`,
      values: [now, chunk],
    });
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < chunk) return total;
  }
}

/**
 * Inserts many documents in one transaction's connection, a few statements per chunk (unnest arrays):
 * expired documents under the same ids are replaced; a live id is ERR_ALREADY_EXISTS; a taken unique key
 * a unique violation.
 */
export async function loadDocuments(db: Queryable, shape: WriteShape, documents: readonly DumpedDocument[], now: EpochMs, chunk = 5000): Promise<void> {
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.id)) throw new GatewayError('ERR_ALREADY_EXISTS', `"${shape.name}" load lists ${JSON.stringify(d.id)} twice`, { status: 409 });
    seen.add(d.id);
  }
  for (let start = 0; start < documents.length; start += chunk) {
    const part = documents.slice(start, start + chunk);
    const ids: string[] = [];
    const jsons: string[] = [];
    const expiries: (number | null)[] = [];
    const keyIds: string[] = [];
    const names: string[] = [];
    const keys: string[] = [];
    const unique: boolean[] = [];
    for (const d of part) {
      const s = serialise(shape, d.id, d.value);
      ids.push(d.id);
      jsons.push(s.json);
      expiries.push(expiry(shape, d.expiresAt));
      for (let i = 0; i < s.keys.length; i++) {
        keyIds.push(d.id);
        names.push(s.names[i]!);
        keys.push(s.keys[i]!);
        unique.push(s.unique[i]!);
      }
    }
    await db.query({
      text: 'DELETE FROM documents WHERE collection = $1 AND id = ANY($2::text[]) AND expires_at <= $3',
      values: [shape.name, ids, now],
    });
    const { rowCount } = await db.query({
      text: `INSERT INTO documents (collection, id, doc, expires_at)
             SELECT $1, i.id, i.json::json, i.expires_at FROM unnest($2::text[], $3::text[], $4::bigint[]) AS i(id, json, expires_at)
             ON CONFLICT (collection, id) DO NOTHING`,
      values: [shape.name, ids, jsons, expiries],
    });
    if (rowCount !== part.length) {
      throw new GatewayError('ERR_ALREADY_EXISTS', `"${shape.name}" already has ${part.length - (rowCount ?? 0)} of the documents being loaded`, {
        status: 409,
      });
    }
    if (keys.length === 0) continue;
    await db.query({
      text: `INSERT INTO index_keys (collection, id, index_name, key, is_unique)
             SELECT $1, k.id, k.index_name, k.key, k.is_unique FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS k(id, index_name, key, is_unique)`,
      values: [shape.name, keyIds, names, keys, unique],
    });
  }
}
