// What one statement costs at the least, on this machine, in this run: a named prepared statement that
// does nothing (`SELECT $1::int`), sent by `concurrency` connections back to back for a few seconds from
// the benchmark's own process (idle otherwise meanwhile) to the run's database. Its CPU per round trip,
// on the client (this process: the socket write, the wake-up, parsing the answer) and on the server
// (the backend's receive, execute, send, and its wake-up), is a floor under every statement a login sends.
// Times the statements of a login, it bounds from below what PostgreSQL can add to a login, and so from
// above the PostgreSQL ÷ embedded ratio on cores that every process shares.

import pg from 'pg';
import type { BenchDatabase } from './bench-database.ts';
import { cpuMsBetween } from './postgres-cpu.ts';

export interface RoundTripFloor {
  concurrency: number;
  roundTrips: number;
  roundTripsPerSecond: number;
  /** This process's CPU per round trip (µs). */
  clientCpuUs: number;
  /** The database's server processes' CPU per round trip (µs); undefined when the server is not local. */
  serverCpuUs: number | undefined;
}

export async function roundTripFloor(db: BenchDatabase, concurrency: number, seconds: number): Promise<RoundTripFloor> {
  const pool = new pg.Pool({ connectionString: db.url, max: concurrency });
  const statement = { name: 'bench_floor', text: 'SELECT $1::int AS n' };
  try {
    // Every connection open and the statement prepared on each before the window.
    await Promise.all(Array.from({ length: concurrency }, (_, i) => pool.query({ ...statement, values: [i] })));
    const serverBefore = await db.serverCpu();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const until = started + seconds * 1000;
    let roundTrips = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const client = await pool.connect();
        try {
          while (performance.now() < until) {
            await client.query({ ...statement, values: [i] });
            roundTrips++;
          }
        } finally {
          client.release();
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const serverAfter = await db.serverCpu();
    const serverMs = serverBefore && serverAfter ? cpuMsBetween(serverBefore, serverAfter) : undefined;
    return {
      concurrency,
      roundTrips,
      roundTripsPerSecond: roundTrips / elapsed,
      clientCpuUs: (cpu.user + cpu.system) / roundTrips,
      serverCpuUs: serverMs === undefined ? undefined : (serverMs * 1000) / roundTrips,
    };
  } finally {
    await pool.end();
  }
}
