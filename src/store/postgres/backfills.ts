// Migrations that rewrite rows already in the store, said before they run: how many rows each will go
// through, so an operator running `denglu db migrate` (or a gateway migrating at start) on a large store
// knows why it takes minutes and is not stuck. node-pg-migrate runs each migration as one statement list
// with no progress of its own, so this is said once, before, with the count.

import type { Queryable } from './database.ts';

interface Backfill {
  /** Rows the migration goes through (one bigint column n). */
  count: string;
  what: string;
  /** Measured on a shared 2-core machine (bench/results/impact-scale-2026-12-06T00-15-10m.txt), to say roughly how long. */
  secondsPerMillion: number;
}

const BACKFILLS: Record<string, Backfill> = {
  '0003_shop_usage_facts': {
    count: `SELECT count(*) AS n FROM documents WHERE collection = 'shop_usage'`,
    what: "shop-usage summaries into the impact report's side table (shop_usage_facts)",
    secondsPerMillion: 90, // 87.8 s for 995,040 summaries
  },
};

/** Logs, for each pending migration that back-fills, how many rows it will go through (nothing on an empty store). */
export async function announceBackfills(db: Queryable, pending: readonly string[], log: (msg: string) => void): Promise<void> {
  if (pending.includes('0001_documents')) return; // a new store: nothing to back-fill
  for (const name of pending) {
    const backfill = BACKFILLS[name];
    if (!backfill) continue;
    const n = Number((await db.query<{ n: string }>(backfill.count)).rows[0]!.n);
    if (n === 0) continue;
    const seconds = (n / 1e6) * backfill.secondsPerMillion;
    const about = seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;
    log(`${name} back-fills ${n.toLocaleString('en')} ${backfill.what}: about ${about} on 2 cores, with no progress shown until it is done`);
  }
}
