// Once-per-cluster background jobs on PostgreSQL: a session advisory lock keyed by the job's name, taken
// with pg_try_advisory_lock on a connection of its own (outside the pool, so the job's own queries never
// wait behind it). Another run anywhere on the database (another instance, or this one) holds the lock:
// the job is skipped. If the lock's connection dies, PostgreSQL frees the lock.

import pg from 'pg';
import { unavailable } from './database.ts';

export async function runExclusive<T>(url: string, location: string, job: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'denglu-job' });
  client.on('error', () => {}); // a lost lock connection surfaces as a failed unlock below, never as a crash
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw unavailable(err, location);
  }
  try {
    let locked: boolean;
    try {
      const { rows } = await client.query("SELECT pg_try_advisory_lock(hashtextextended('denglu:job:' || $1, 0)) AS locked", [job]);
      locked = rows[0].locked === true;
    } catch (err) {
      throw unavailable(err, location);
    }
    if (!locked) return { ran: false };
    return { ran: true, value: await fn() };
  } finally {
    await client.end().catch(() => {}); // ending the session releases its advisory locks
  }
}
