// The connection pool of the PostgreSQL store and what its failures mean to the gateway. Every query goes
// through here: a bounded pool (DB_POOL_MAX), a bounded wait for a free connection (DB_POOL_WAIT_MS), a
// statement_timeout on every connection (DB_STATEMENT_TIMEOUT_MS), and one mapping of errors: a unique
// violation stays a database error for the caller to name, everything else (down, refused, timed out,
// exhausted, closed) becomes ERR_STORE_UNAVAILABLE (503) with a message that carries no secret.

import pg from 'pg';
import { GatewayError } from '../../errors.ts';

export interface PoolSettings {
  /** Connections at most (DB_POOL_MAX, default 10). */
  max?: number;
  /** How long a query waits for a free connection before failing (DB_POOL_WAIT_MS, default 2000). */
  waitMs?: number;
  /** statement_timeout of every connection (DB_STATEMENT_TIMEOUT_MS, default 5000). */
  statementTimeoutMs?: number;
}

export const POOL_DEFAULTS = { max: 10, waitMs: 2000, statementTimeoutMs: 5000 } as const;

const IDLE_IN_TRANSACTION_MS = 10_000;

/** The URL without its password (for banners, logs and error messages). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.href;
  } catch {
    return '(an unparsable database URL)';
  }
}

/** PostgreSQL's unique_violation. */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): err is pg.DatabaseError {
  return (err as { code?: string } | undefined)?.code === UNIQUE_VIOLATION;
}

/** A pg or network error as the gateway's ERR_STORE_UNAVAILABLE (503); GatewayErrors pass through. */
export function unavailable(err: unknown, location: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { code?: string; message?: string };
  let why: string;
  if (e?.code === '57014') why = 'a statement ran past the statement timeout (DB_STATEMENT_TIMEOUT_MS)';
  else if (/timeout exceeded when trying to connect/i.test(e?.message ?? '')) {
    why = 'no database connection became free in time (pool exhausted past DB_POOL_WAIT_MS, or the database does not answer)';
  } else if (e?.code === 'ECONNREFUSED') why = 'the database refused the connection';
  else if (e?.code === '57P01' || e?.code === '57P02' || e?.code === '57P03') why = 'the database is shutting down or starting up';
  else if (e?.code === '3D000') why = 'the database does not exist';
  else if (e?.code === '28P01' || e?.code === '28000') why = 'the database refused the credentials';
  else if (/connection timeout|^timeout expired$/i.test(e?.message ?? '')) why = 'the database did not answer in time (connection timeout)';
  else if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    why = `the database host name does not resolve (${(e.message ?? e.code).replace(/^getaddrinfo /, '')})`;
  } else if (/terminated|ended|closed|ECONNRESET|EPIPE/i.test(`${e?.message} ${e?.code}`)) why = 'the database connection was lost';
  else why = `the database failed (${e?.code ?? 'error'}: ${(e?.message ?? String(err)).replaceAll(/postgres(ql)?:\/\/\S+/g, '(url)')})`;
  return new GatewayError('ERR_STORE_UNAVAILABLE', `store unavailable at ${location}: ${why}`, { status: 503, cause: err });
}

/** A pooled Database or a transaction's connection. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: rows are read by column name in each statement's own module
  query<R extends pg.QueryResultRow = any>(config: pg.QueryConfig | string): Promise<pg.QueryResult<R>>;
}

export class Database {
  readonly pool: pg.Pool;
  readonly url: string;
  readonly location: string;
  readonly settings: Required<PoolSettings>;
  #closed = false;

  constructor(url: string, settings: PoolSettings = {}, log?: { warn: (msg: string) => void }) {
    this.url = url;
    this.location = redactUrl(url);
    this.settings = { ...POOL_DEFAULTS, ...settings };
    this.pool = new pg.Pool({
      connectionString: url,
      max: this.settings.max,
      connectionTimeoutMillis: this.settings.waitMs,
      statement_timeout: this.settings.statementTimeoutMs,
      // A frozen instance must not hold row locks for ever (our transactions never idle on purpose).
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      keepAlive: true,
      idleTimeoutMillis: 30_000,
      application_name: 'denglu',
    });
    // An idle connection that dies (database restarted) emits 'error' on the pool: the pool drops it and
    // makes a new one on demand. Unhandled, it would crash the process.
    this.pool.on('error', (err) => log?.warn(`store: an idle database connection failed: ${unavailable(err, this.location).message}`));
  }

  get closed(): boolean {
    return this.#closed;
  }

  assertOpen(): void {
    if (this.#closed) throw new GatewayError('ERR_STORE_UNAVAILABLE', 'store is closed', { status: 503 });
  }

  /**
   * One statement on any pooled connection (one round trip when a connection is idle). A deadlock's
   * victim (two writes taking the same unique keys in another order) changed nothing: it runs again.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see Queryable
  async query<R extends pg.QueryResultRow = any>(config: pg.QueryConfig | string): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      try {
        return await this.pool.query<R>(config);
      } catch (err) {
        if (attempt < DEADLOCK_RETRIES && isDeadlock(err)) continue;
        throw isUniqueViolation(err) ? err : unavailable(err, this.location);
      }
    }
  }

  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws (its error rethrown; database errors other than unique violations as ERR_STORE_UNAVAILABLE).
   * `selfBegun`: `fn` sends BEGIN itself, together with its first statement (one round trip less).
   */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, selfBegun = false): Promise<T> {
    // A deadlock victim (two batches locking the same rows in another order) changed nothing: run it again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transaction(fn, selfBegun);
      } catch (err) {
        if (attempt >= DEADLOCK_RETRIES || !isDeadlock(err)) throw err;
      }
    }
  }

  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, selfBegun: boolean): Promise<T> {
    this.assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw unavailable(err, this.location);
    }
    let broken: unknown;
    // A connection that dies while checked out emits 'error' on the client (the pool listens only while it
    // is idle): the failing query rejects with it too, so here it only must not crash the process.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      if (!selfBegun) await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr;
      }
      if (err instanceof GatewayError || isUniqueViolation(err) || !isDatabaseError(err)) throw err;
      throw unavailable(err, this.location);
    } finally {
      client.removeListener('error', onError);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

const DEADLOCK_RETRIES = 3;

/** deadlock_detected or serialization_failure, possibly wrapped as ERR_STORE_UNAVAILABLE. */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  const code = e?.code === 'ERR_STORE_UNAVAILABLE' ? e.cause?.code : e?.code;
  return code === '40P01' || code === '40001';
}

/** An error raised by pg or the network (as opposed to a caller's fn). */
function isDatabaseError(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return true;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return (
    (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) ||
    /Connection terminated|timeout exceeded|Client has encountered a connection error|not queryable/i.test(String(e?.message))
  );
}
