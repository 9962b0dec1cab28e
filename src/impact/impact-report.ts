// The impact of ending one provider at one shop at a cutoff instant (scheduled or only considered), pure:
// given the shop's shoppers — accounts with sign-ins at the partner within `activeDays` before now — and
// their method use there (src/events/shop-usage.ts), it classes each shopper who has signed in there with
// the provider (the affected ones):
//   stranded — no other way into this shop that still signs in at the cutoff (src/impact/ways-after-cutoff.ts);
//   at risk  — such a way exists, but they never signed in here with it;
//   safe     — they have signed in here with such a way.
// Shoppers who never used the provider here are `unaffected`. It adds the provider's sign-ins at the shop in
// the last 30 days by group; migration (an affected shopper getting a surviving way after notice began, or in
// the last RATE_DAYS when there is no notice), day by day; and a projection of the stranded at the cutoff
// and at grace end at the recent migration rate — affected shoppers whose first way out came within the
// last RATE_DAYS days, or since notice began when that is shorter (at least a day): warned shoppers move
// faster than before the notice, and the projection is of warned shoppers (linear, never below zero).
// Its windows are rolling periods ending now, but for the sign-ins of the last 30 days and the migration
// chart, which count UTC days (the last 30: today's and the 29 before it), unlike the per-provider analytics
// (src/events/login-days.ts), which count the shop's local dates.
// The rules run on classes of shoppers with their counts (src/store/usage-tally.ts): the store's tally
// (Store.tallyUsage, the fast report) and one class per shopper (the straightforward report and the CSV's
// list) go through the same reportFromClasses.

import type { EpochMs } from '../clock.ts';
import { DAY_MS, dayLabel, dayOf } from '../events/login-event.ts';
import type { ShopUsage } from '../events/shop-usage.ts';
import type { HeldWays } from '../events/shop-ways.ts';
import type { Partner } from '../partners/partner.ts';
import { type UsageClass, type UsageTallyQuery, usageClassOf } from '../store/usage-tally.ts';
import { methodsSigningInAt } from './ways-after-cutoff.ts';

export const DEFAULT_ACTIVE_DAYS = 180;
const RECENT_DAYS = 30;
const RATE_DAYS = 14;
/** The shortest time since notice began that the rate is measured over; before, the last RATE_DAYS. */
const MIN_RATE_MS = DAY_MS;

export type ImpactGroup = 'stranded' | 'at_risk' | 'safe';

export interface ImpactQuery {
  partner: Partner;
  provider: string;
  configured: ReadonlySet<string>;
  now: EpochMs;
  cutoffAt: EpochMs;
  /** Undefined: no grace (migration closes at the cutoff) — or none scheduled. */
  graceEndsAt?: EpochMs;
  /** When notice began or begins; migration progress is counted from here. */
  noticeAt?: EpochMs;
  /** true when the cutoff differs from the scheduled one. */
  considered: boolean;
  activeDays?: number;
}

export interface Shopper {
  usage: ShopUsage;
  /** The ways the account holds (src/events/shop-ways.ts). */
  held: HeldWays;
}

/** One affected shopper, for the CSV (the account id stays here: the API turns it into the shop's pairwise sub). */
export interface AffectedShopper {
  account: string;
  group: ImpactGroup;
  lastWithProviderAt: EpochMs;
  providerSignIns30d: number;
  /** The ways that still sign in at the cutoff, which the account holds. */
  ways: string[];
}

export interface ImpactReport {
  partner: string;
  provider: string;
  now: EpochMs;
  cutoffAt: EpochMs;
  graceEndsAt?: EpochMs;
  noticeAt?: EpochMs;
  considered: boolean;
  activeDays: number;
  /** The other methods that still sign in at the cutoff. */
  waysAtCutoff: string[];
  shoppers: { active: number; unaffected: number; affected: number; stranded: number; atRisk: number; safe: number };
  providerSignIns30d: { stranded: number; atRisk: number; safe: number; total: number };
  migration: {
    /** Counted from (notice start, or RATE_DAYS before now). */
    since: EpochMs;
    /** Affected shoppers whose first surviving way came since then. */
    migrated: number;
    /** Per day, over the last `rateDays` days. */
    ratePerDay: number;
    /** The days the rate is measured over: RATE_DAYS, or the time since notice began when shorter (one decimal). */
    rateDays: number;
    /** Cumulative migrated by the end of each UTC day, from `since` to now (or grace end). */
    progress: { day: string; migrated: number }[];
  };
  projection: { strandedAtCutoff: number | null; strandedAtGraceEnd: number | null };
  list: AffectedShopper[];
}

/** A class of shoppers the report tells apart (src/store/usage-tally.ts), or one shopper (with its CSV row facts). */
export type ShopperClass = UsageClass & { shopper?: { account: string; lastWithProviderAt: EpochMs } };

/** What the report asks of the shop's summaries: the windows, the surviving ways, the instants compared. */
export function tallyQuery(q: ImpactQuery): UsageTallyQuery {
  const w = windows(q);
  return {
    partner: q.partner.id,
    method: q.provider,
    ways: methodsSigningInAt(q.partner, q.provider, q.configured, q.cutoffAt),
    activeFrom: w.activeFrom,
    activeTo: q.now,
    countFromDay: w.recentFromDay,
    cuts: [w.since, w.rateFrom, q.now],
  };
}

function windows(q: ImpactQuery) {
  const activeDays = q.activeDays ?? DEFAULT_ACTIVE_DAYS;
  const lastDays = q.now - RATE_DAYS * DAY_MS;
  const noticeBegan = q.noticeAt !== undefined && q.noticeAt <= q.now ? q.noticeAt : undefined;
  const rateFrom = noticeBegan !== undefined && q.now - noticeBegan >= MIN_RATE_MS ? Math.max(lastDays, noticeBegan) : lastDays;
  return {
    activeDays,
    activeFrom: q.now - activeDays * DAY_MS,
    // The last RECENT_DAYS UTC days, today's included (the day 30 days ago too would make 31).
    recentFromDay: dayOf(q.now) - (RECENT_DAYS - 1),
    rateFrom,
    since: noticeBegan ?? lastDays,
  };
}

/** The report from each shopper's summary and ways (the straightforward computation, and the report with its list). */
export function impactReport(q: ImpactQuery, shoppers: Iterable<Shopper>): ImpactReport {
  const t = tallyQuery(q);
  const classes: ShopperClass[] = [];
  for (const shopper of shoppers) {
    const c = shopperClass(t, shopper);
    if (c) classes.push(c);
  }
  return reportFromClasses(q, classes);
}

/** One shopper's class, naming them when they used the provider; undefined when not a shopper (inactive). */
function shopperClass(t: UsageTallyQuery, { usage, held }: Shopper): ShopperClass | undefined {
  const c = usageClassOf(usage, held, t);
  const use = usage.methods[t.method];
  return c && use ? { ...c, shopper: { account: usage.account, lastWithProviderAt: use.lastAt } } : c;
}

/** The shopper's CSV row when the report lists them (an affected shopper), one shopper at a time (the streamed CSV). */
export function affectedShopper(t: UsageTallyQuery, shopper: Shopper): AffectedShopper | undefined {
  const c = shopperClass(t, shopper);
  return c?.usesMethod && c.shopper ? listRow(c, c.shopper, groupOf(c)) : undefined;
}

function groupOf(c: UsageClass): ImpactGroup {
  return c.held.length === 0 ? 'stranded' : c.used.length > 0 ? 'safe' : 'at_risk';
}

function listRow(c: UsageClass, shopper: NonNullable<ShopperClass['shopper']>, group: ImpactGroup): AffectedShopper {
  return { account: shopper.account, group, lastWithProviderAt: shopper.lastWithProviderAt, providerSignIns30d: c.methodSignIns, ways: c.held };
}

/**
 * The report from classes of shoppers, each counted `count` times (Store.tallyUsage's answer, or one class
 * per shopper): the one place the groups, migration, rate and projection are decided. The shopper list
 * (CSV) holds the classes that name their shopper.
 */
export function reportFromClasses(q: ImpactQuery, classes: Iterable<ShopperClass>): ImpactReport {
  const { activeDays, rateFrom, since } = windows(q);
  const waysAtCutoff = methodsSigningInAt(q.partner, q.provider, q.configured, q.cutoffAt);
  const counts = { active: 0, unaffected: 0, affected: 0, stranded: 0, atRisk: 0, safe: 0 };
  const recent = { stranded: 0, atRisk: 0, safe: 0, total: 0 };
  const migratedPerDay = new Map<number, number>();
  let migrated = 0;
  let recentMigrations = 0;
  const list: AffectedShopper[] = [];
  for (const c of classes) {
    counts.active += c.count;
    if (!c.usesMethod) {
      counts.unaffected += c.count;
      continue;
    }
    counts.affected += c.count;
    const group = groupOf(c);
    const key = group === 'at_risk' ? 'atRisk' : group;
    counts[key] += c.count;
    recent[key] += c.methodSignIns;
    recent.total += c.methodSignIns;
    // Migrated: the shopper's first way out came after `since` (had none before); the rate counts those
    // whose first way out came since rateFrom (see windows).
    const firstWayOut = c.firstHeldAt;
    if (firstWayOut !== undefined && firstWayOut >= since && firstWayOut <= q.now) {
      migrated += c.count;
      migratedPerDay.set(dayOf(firstWayOut), (migratedPerDay.get(dayOf(firstWayOut)) ?? 0) + c.count);
    }
    if (firstWayOut !== undefined && firstWayOut >= rateFrom && firstWayOut <= q.now) recentMigrations += c.count;
    if (c.shopper) list.push(listRow(c, c.shopper, group));
  }
  const rateDays = (q.now - rateFrom) / DAY_MS;
  const ratePerDay = recentMigrations / rateDays;
  const projected = (at: EpochMs | undefined): number | null => {
    if (at === undefined) return null;
    if (at <= q.now) return counts.stranded;
    return Math.max(0, Math.round(counts.stranded - (ratePerDay * (at - q.now)) / DAY_MS));
  };
  return {
    partner: q.partner.id,
    provider: q.provider,
    now: q.now,
    cutoffAt: q.cutoffAt,
    ...(q.graceEndsAt !== undefined ? { graceEndsAt: q.graceEndsAt } : {}),
    ...(q.noticeAt !== undefined ? { noticeAt: q.noticeAt } : {}),
    considered: q.considered,
    activeDays,
    waysAtCutoff,
    shoppers: counts,
    providerSignIns30d: recent,
    migration: {
      since,
      migrated,
      ratePerDay: Math.round(ratePerDay * 100) / 100,
      rateDays: Math.round(rateDays * 10) / 10,
      progress: progressByDay(migratedPerDay, since, q.now),
    },
    projection: { strandedAtCutoff: projected(q.cutoffAt), strandedAtGraceEnd: projected(q.graceEndsAt) },
    list,
  };
}

/** Cumulative count by the end of each UTC day from `from` to `to`. */
function progressByDay(perDay: ReadonlyMap<number, number>, from: EpochMs, to: EpochMs): { day: string; migrated: number }[] {
  const first = dayOf(from);
  const last = dayOf(to);
  const out: { day: string; migrated: number }[] = [];
  let total = 0;
  for (let d = first; d <= last && out.length <= 400; d++) {
    total += perDay.get(d) ?? 0;
    out.push({ day: dayLabel(d), migrated: total });
  }
  return out;
}
