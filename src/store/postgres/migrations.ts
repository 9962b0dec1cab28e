// The schema of the PostgreSQL store: versioned migrations (migrations/*.sql, run by node-pg-migrate under
// its advisory lock, so instances booting together take turns), and the refusal to run on a database whose
// schema has a migration this code does not know (a newer Denglu migrated it).

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { GatewayError } from '../../errors.ts';
import { announceBackfills } from './backfills.ts';
import { unavailable, type Queryable } from './database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
export const MIGRATIONS_TABLE = 'denglu_migrations';

/** The migrations this code knows, in order (file names without .sql, as node-pg-migrate records them). */
export const KNOWN_MIGRATIONS: readonly string[] = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.slice(0, -'.sql'.length));

export interface SchemaState {
  applied: string[];
  /** Applied migrations this code does not know. */
  unknown: string[];
  /** Known migrations not applied yet. */
  pending: string[];
}

/** What the database has applied, compared with what this code knows (one query). */
export async function schemaState(db: Queryable): Promise<SchemaState> {
  const { rows } = await db
    .query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)
    .catch((err: { code?: string; cause?: { code?: string } }) => {
      if ((err?.cause?.code ?? err?.code) === '42P01') return { rows: [] as { name: string }[] }; // no migrations table yet
      throw err;
    });
  const applied = rows.map((r) => r.name);
  const known = new Set(KNOWN_MIGRATIONS);
  const done = new Set(applied);
  return { applied, unknown: applied.filter((n) => !known.has(n)), pending: KNOWN_MIGRATIONS.filter((n) => !done.has(n)) };
}

/** Throws the clear refusal when the database was migrated by a newer Denglu. */
export function assertKnownSchema(state: SchemaState): void {
  if (state.unknown.length === 0) return;
  throw new GatewayError(
    'ERR_STORE_UNAVAILABLE',
    `the database schema is at version ${state.applied.at(-1)}, newer than this Denglu knows (${KNOWN_MIGRATIONS.at(-1)}): upgrade Denglu or use another database`,
    { status: 503 },
  );
}

/**
 * Brings the schema up to date: refuses an unknown newer schema, says which back-fills are about to run and
 * over how many rows (`notice`; src/store/postgres/backfills.ts), then runs the pending migrations under
 * node-pg-migrate's advisory lock (waiting for another instance that is migrating; `log` gets its own
 * messages). Returns what ran.
 */
export async function migrate(url: string, location: string, log?: (msg: string) => void, notice = log): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'denglu-migrate' });
  try {
    await client.connect();
  } catch (err) {
    throw unavailable(err, location);
  }
  try {
    const state = await schemaState(client).catch((err) => Promise.reject(unavailable(err, location)));
    assertKnownSchema(state);
    await announceBackfills(client, state.pending, (msg) => notice?.(`store: ${msg}`)).catch((err) => Promise.reject(unavailable(err, location)));
    let ran: { name: string }[];
    try {
      const { runner } = await import('node-pg-migrate'); // loaded only by a process that migrates
      ran = await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        migrationsTable: MIGRATIONS_TABLE,
        advisoryLockMode: 'wait',
        checkOrder: true,
        singleTransaction: true,
        log: (msg: string) => {
          if (!/No migrations to run/.test(msg)) log?.(`store: ${msg}`);
        },
      });
    } catch (err) {
      // An instance that migrated to a newer schema while this one waited for the lock: say so clearly.
      assertKnownSchema(await schemaState(client).catch(() => ({ applied: [], unknown: [], pending: [] })));
      throw unavailable(err, location);
    }
    assertKnownSchema(await schemaState(client));
    return ran.map((m) => m.name);
  } finally {
    await client.end().catch(() => {});
  }
}
