// PostgreSQL for the tests: the machine's server (PGTEST_URL, default postgres://postgres@127.0.0.1:5432/test),
// and a fresh database per suite, dropped afterwards, so suites never see each other's rows. A missing
// server fails under CI=true and is a loud warning plus a skip on a developer machine (never a silent pass).

import pg from 'pg';

export const PGTEST_URL = process.env.PGTEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<string | undefined> | undefined;

/** undefined when the server answers, else why not. */
function probe(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PGTEST_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/**
 * Whether PostgreSQL tests can run here. Unreachable: an error under CI (the caller fails), else a warning
 * on the console and `false` (the caller skips: `if (!(await postgresAvailable())) return this.skip();`).
 */
export async function postgresAvailable(): Promise<boolean> {
  const why = await probe();
  if (why === undefined) return true;
  const message = `PostgreSQL not reachable at ${PGTEST_URL} (${why}): start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\` (or set PGTEST_URL)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI must run the PostgreSQL tests`);
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! POSTGRESQL TESTS SKIPPED — ${message}\n${bar}\n`);
  return false;
}

export interface TestDatabase {
  /** A connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

let counter = 0;

/** A new empty database on the test server, named after the suite. */
export async function freshDatabase(label: string): Promise<TestDatabase> {
  const name = `denglu_${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: PGTEST_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PGTEST_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: PGTEST_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Calls `onStatement(text)` for every statement node-postgres sends from now on (every pool and client of
 * the process), until the returned function restores node-postgres. For tests that count round trips.
 */
export function watchStatements(onStatement: (text: string) => void): () => void {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string } | undefined;
    onStatement(typeof q === 'string' ? q : (q?.text ?? ''));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return () => {
    pg.Client.prototype.query = original;
  };
}
