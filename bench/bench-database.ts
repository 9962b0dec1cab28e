// The benchmark's PostgreSQL databases: each run creates fresh ones of its own on the machine's server
// (`denglu_bench_<label>_<pid>`, never another database) and drops them when it ends. One connection per
// database watches it: which server processes work for it (for PostgreSQL's CPU per login, see
// bench/postgres-cpu.ts), and whether the server runs on this machine at all. The admin URL comes from
// --database-url or BENCH_DATABASE_URL (default: postgres://postgres@127.0.0.1:5432/postgres); it is
// never printed with its password.

import pg from 'pg';
import { redactUrl } from '../src/store/postgres/database.ts';
import { readCpuMs } from './postgres-cpu.ts';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export { redactUrl };

export interface BenchDatabase {
  name: string;
  /** Connection URL of the database (for the gateway's DATABASE_URL). */
  url: string;
  /**
   * CPU ms per server process working for this database now (its backends, autovacuum on it, and the
   * auxiliary processes every database shares); undefined when the server's processes are not readable here.
   */
  serverCpu(): Promise<Map<number, number> | undefined>;
  /** Closes the watching connection and drops the database. */
  drop(): Promise<void>;
}

/**
 * The URL with server options for every connection (libpq's `options`, e.g. `-c synchronous_commit=off`):
 * the benchmark's --pg-options experiments. Empty options: the URL unchanged.
 */
export function withServerOptions(url: string, options: string): string {
  if (!options) return url;
  const u = new URL(url);
  u.searchParams.set('options', options);
  return u.href;
}

/** A database name from a label: lower-case letters, digits and underscores only. */
export function benchDatabaseName(label: string, pid = process.pid): string {
  return `denglu_bench_${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${pid}`;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Whether the server answers (the benchmark skips PostgreSQL, loudly, when it does not). */
export async function postgresReachable(adminUrl: string): Promise<string | undefined> {
  try {
    await withAdmin(adminUrl, (c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `${(err as Error).message} (${redactUrl(adminUrl)})`;
  }
}

/** The server settings that change what a login costs on it, as the server reports them (for the report). */
export async function serverSettings(adminUrl: string): Promise<Record<string, string>> {
  return withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'autovacuum', 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'shared_preload_libraries') ORDER BY name`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit === '8kB' ? `${(Number(r.setting) * 8) / 1024} MB` : r.setting]));
  });
}

export async function createBenchDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = benchDatabaseName(label);
  await withAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const watcher = new pg.Client({ connectionString: url.href });
  await watcher.connect();
  let local = true;
  return {
    name,
    url: url.href,
    async serverCpu() {
      if (!local) return undefined;
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type NOT IN ('client backend', 'autovacuum worker', 'background worker', 'walsender')`,
      );
      const cpu = readCpuMs(
        rows.map((r) => r.pid),
        'postgres',
      );
      if (cpu.size === 0) local = false; // the server runs elsewhere: its /proc is not ours
      return local ? cpu : undefined;
    },
    async drop() {
      await watcher.end().catch(() => {});
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
