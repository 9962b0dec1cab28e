// The impact report's side table (shop_usage_facts, migrations/0003_shop_usage_facts.sql) analysed when
// autovacuum would have: a server running without autovacuum (as some CI and hand-tuned servers do) never
// gathers its statistics, so the planner takes a shop's 867,338 active summaries for 16 rows and reads them
// serially through the index (median 1.6-2.6 s over 1,000,000 summaries, bench/results/impact-scale-2026-12-06T00-15-10m.txt)
// instead of a parallel scan with partial aggregation (0.9 s once analysed). Run by the cluster-once expiry
// sweep: ANALYZE once the rows changed since the last analysis pass autovacuum's default threshold (50 + 10% of
// the table, a little more here). With autovacuum on, its own autoanalyze gets there first and this does nothing.

import type { Database } from './database.ts';

const TABLE = 'shop_usage_facts';
const BASE = 1000;
const SCALE = 0.1;

/** ANALYZEs the side table when enough of it changed since its last analysis; resolves to whether it did. */
export async function analyzeSideTableIfStale(db: Database): Promise<boolean> {
  const { rows } = await db.query<{ live: string; changed: string }>({
    name: 'denglu_side_table_changes',
    text: `SELECT n_live_tup AS live, n_mod_since_analyze AS changed FROM pg_stat_user_tables WHERE relid = to_regclass($1)`,
    values: [TABLE],
  });
  const row = rows[0];
  if (!row || Number(row.changed) <= BASE + SCALE * Number(row.live)) return false;
  // A sample of 30,000 rows: well under a second, but not bound by a login's statement timeout.
  await db.transaction(async (client) => {
    await client.query("SELECT set_config('statement_timeout', '60000', true)");
    await client.query(`ANALYZE ${TABLE}`);
  });
  return true;
}
