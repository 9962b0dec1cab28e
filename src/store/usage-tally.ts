// What Store.tallyUsage counts: a shop's usage summaries (src/events/shop-usage.ts, collection
// `shop_usage`) grouped into classes of shoppers that the impact report (src/impact/impact-report.ts)
// cannot tell apart, each with how many shoppers it holds — so the report's rules (stranded, at risk,
// safe, migrated, the rate) run once per class instead of once per shopper, on every backend. A class is
// the shoppers active in the window who agree on: whether they used the ending method at the shop, which
// of the surviving ways they hold, which of those they used there, and when their first surviving way came
// — to the UTC day and the side of each cut (the instants the report compares it with), or only "before
// the first cut" / "after the last". The class keeps the earliest such instant, so every comparison the
// report makes of it answers as it would for each member. This module is the per-summary decision; the
// embedded store applies it document by document, PostgreSQL runs the same in SQL
// (src/store/postgres/usage-tally.ts) over the side table of migrations/0003_shop_usage_facts.sql.

import type { EpochMs } from '../clock.ts';

export const USAGE_COLLECTION = 'shop_usage';
const DAY = 86_400_000;

/** The fields of a usage summary the tally reads (src/events/shop-usage.ts holds the whole shape). */
export interface UsageSummary {
  partner: string;
  account: string;
  lastAt: EpochMs;
  methods: Record<string, { days: readonly (readonly [number, number])[] }>;
  ways?: Record<string, EpochMs>;
}

export interface UsageTallyQuery {
  partner: string;
  /** The method ending: its users at the shop are the affected shoppers. */
  method: string;
  /** The other methods that still sign in at the cutoff, in the order the classes list them. */
  ways: readonly string[];
  /** Only summaries whose last sign-in is within [activeFrom, activeTo]. */
  activeFrom: EpochMs;
  activeTo: EpochMs;
  /** `method`'s sign-ins are summed from this UTC day (days since the epoch) on. */
  countFromDay: number;
  /** The instants the first surviving way is compared with (at least one). */
  cuts: readonly EpochMs[];
}

export interface UsageClass {
  count: number;
  /** They signed in at the shop with the ending method. */
  usesMethod: boolean;
  /** The surviving ways they hold (in query order). */
  held: string[];
  /** The held ways they have signed in with at the shop. */
  used: string[];
  /** When their first surviving way came: the earliest in the class (absent: they hold none). */
  firstHeldAt?: EpochMs;
  /** Their sign-ins with the ending method from countFromDay on, added up. */
  methodSignIns: number;
}

export interface UsageTally {
  classes: UsageClass[];
  /** Active summaries that list no ways (written before they were kept): the caller reads their accounts. */
  unlisted: UsageSummary[];
}

/** The class of one active shopper, given the ways the account holds; undefined when not active. */
export function usageClassOf(usage: UsageSummary, held: Record<string, EpochMs>, q: UsageTallyQuery): UsageClass | undefined {
  if (usage.partner !== q.partner || usage.lastAt < q.activeFrom || usage.lastAt > q.activeTo) return undefined;
  const use = usage.methods[q.method];
  const ways = q.ways.filter((w) => held[w] !== undefined);
  const methodSignIns = use ? signInsFromDay(use.days, q.countFromDay) : 0;
  const firstHeldAt = ways.length ? Math.min(...ways.map((w) => held[w]!)) : undefined;
  return {
    count: 1,
    usesMethod: use !== undefined,
    held: ways,
    used: ways.filter((w) => usage.methods[w] !== undefined),
    ...(firstHeldAt !== undefined ? { firstHeldAt } : {}),
    methodSignIns,
  };
}

/** Sign-ins counted per day ([day, count]) from `fromDay` on. */
export function signInsFromDay(days: readonly (readonly [number, number])[], fromDay: number): number {
  let n = 0;
  for (const [day, count] of days) if (day >= fromDay) n += count;
  return n;
}

/** Which first-way instants a class holds together (see the module header). */
export function instantBucket(at: EpochMs | undefined, cuts: readonly EpochMs[]): string {
  if (at === undefined) return '-';
  if (cuts.every((c) => at < c)) return '<';
  if (cuts.every((c) => at > c)) return '>';
  return `${Math.floor(at / DAY)}:${cuts.filter((c) => c < at).length}:${cuts.filter((c) => c <= at).length}`;
}

/** Adds classes up (one per shopper, or partial tallies) into the classes of the tally. */
export class UsageTallier {
  readonly #classes = new Map<string, UsageClass>();
  readonly #cuts: readonly EpochMs[];

  constructor(cuts: readonly EpochMs[]) {
    this.#cuts = cuts;
  }

  add(c: UsageClass): void {
    const key = `${c.usesMethod ? 1 : 0}|${c.held.join(',')}|${c.used.join(',')}|${instantBucket(c.firstHeldAt, this.#cuts)}`;
    const into = this.#classes.get(key);
    if (!into) {
      this.#classes.set(key, { ...c, held: [...c.held], used: [...c.used] });
      return;
    }
    into.count += c.count;
    into.methodSignIns += c.methodSignIns;
    if (c.firstHeldAt !== undefined && c.firstHeldAt < into.firstHeldAt!) into.firstHeldAt = c.firstHeldAt;
  }

  classes(): UsageClass[] {
    return [...this.#classes.values()];
  }
}
