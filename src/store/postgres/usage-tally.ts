// Store.tallyUsage on PostgreSQL: the decision of src/store/usage-tally.ts as one aggregate query over the
// summaries' side table (migrations/0003_shop_usage_facts.sql), by partner and last sign-in, answering one
// row per class; and a second query for the active summaries that list no ways (whole documents, few).
// The ways and cuts of the query become one parameter each in the statement (a handful), so the held and
// used ways are bit masks, the first surviving way a least() of a few jsonb lookups per row, and the
// sign-ins since a day one subscript into the row's suffix sums.

import type { EpochMs } from '../../clock.ts';
import type { UsageClass, UsageSummary, UsageTally, UsageTallyQuery } from '../usage-tally.ts';
import type { Database } from './database.ts';

const DAY = 86_400_000;

/** The aggregate for this many ways and cuts: $1 partner, $2–$3 the window, $4 method, $5 day, $6 now, then ways, then cuts. */
function tallyStatement(ways: number, cuts: number): string {
  const way = (i: number) => `$${7 + i}::text`;
  const cut = (i: number) => `$${7 + ways + i}::bigint`;
  const wayList = Array.from({ length: ways }, (_, i) => i);
  const cutList = Array.from({ length: cuts }, (_, i) => i);
  const held = wayList.map((i) => `(CASE WHEN ways ? ${way(i)} THEN ${1 << i} ELSE 0 END)`).join(' + ') || '0';
  const used = wayList.map((i) => `(CASE WHEN ways ? ${way(i)} AND ${way(i)} = ANY(used) THEN ${1 << i} ELSE 0 END)`).join(' + ') || '0';
  const first = ways ? `least(${wayList.map((i) => `(ways ->> ${way(i)})::bigint`).join(', ')})` : 'NULL::bigint';
  const cutsBelow = (op: string) => cutList.map((i) => `(first ${op} ${cut(i)})::int`).join(' + ');
  return `SELECT uses, held, used, day, below, upto, count(*)::int AS n, sum(sign_ins)::bigint AS sign_ins, min(first) AS first
    FROM (
      SELECT uses, held, used, first, sign_ins,
        CASE WHEN first >= least(${cutList.map(cut).join(', ')}) AND first <= greatest(${cutList.map(cut).join(', ')}) THEN first / ${DAY} END AS day,
        ${cutsBelow('>')} AS below, ${cutsBelow('>=')} AS upto
      FROM (
        SELECT $4 = ANY(used) AS uses, ${held} AS held, ${used} AS used, ${first} AS first,
          CASE WHEN $5::integer > count_to THEN 0
               ELSE coalesce(sign_ins_from[(array_position(used, $4::text) - 1) * (count_to - count_from + 1) + greatest(0, $5::integer - count_from) + 1], 0)
          END AS sign_ins
        FROM shop_usage_facts
        WHERE partner = $1 AND last_at BETWEEN $2 AND $3 AND ways IS NOT NULL AND (expires_at IS NULL OR expires_at > $6)
      ) AS s
    ) AS t
    GROUP BY uses, held, used, day, below, upto`;
}

const UNLISTED = `SELECT d.doc FROM shop_usage_facts f JOIN documents d ON d.collection = 'shop_usage' AND d.id = f.id
  WHERE f.partner = $1 AND f.last_at BETWEEN $2 AND $3 AND f.ways IS NULL AND (f.expires_at IS NULL OR f.expires_at > $4)`;

interface ClassRow {
  uses: boolean;
  held: number;
  used: number;
  n: number;
  sign_ins: string;
  first: string | null;
}

/**
 * The aggregate's plan, for its transaction only. The planner cannot estimate how many groups computed keys
 * make (it expects one per row), so it would sort a million wide rows to disk; there are a few hundred, so
 * hashing them in the parallel workers is the plan (enable_sort off). JIT compiling the expressions took
 * seconds, more than it saved. A report over a million summaries may take longer than a login's statement.
 */
const AGGREGATE_SETTINGS = `SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true),
  set_config('work_mem', '32MB', true), set_config('statement_timeout', '30000', true)`;

export async function tallyUsage(db: Database, q: UsageTallyQuery, now: EpochMs): Promise<UsageTally> {
  if (q.cuts.length === 0) throw new TypeError('tallyUsage needs at least one cut');
  const window = [q.partner, q.activeFrom, q.activeTo];
  const [classes, unlisted] = await Promise.all([
    db.transaction(async (client) => {
      await client.query(AGGREGATE_SETTINGS);
      return client.query<ClassRow>({
        text: tallyStatement(q.ways.length, q.cuts.length),
        values: [...window, q.method, q.countFromDay, now, ...q.ways, ...q.cuts],
      });
    }),
    db.query<{ doc: UsageSummary }>({ text: UNLISTED, values: [...window, now] }),
  ]);
  const named = (mask: number) => q.ways.filter((_, i) => (mask & (1 << i)) !== 0);
  return {
    classes: classes.rows.map(
      (r): UsageClass => ({
        count: r.n,
        usesMethod: r.uses,
        held: named(r.held),
        used: named(r.used),
        ...(r.first !== null ? { firstHeldAt: Number(r.first) } : {}),
        methodSignIns: Number(r.sign_ins),
      }),
    ),
    unlisted: unlisted.rows.map((r) => r.doc),
  };
}
