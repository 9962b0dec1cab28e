// Builds the impact report for a partner's integration from the store: resolves the cutoff (the scheduled
// one, or one being considered — its grace keeps the scheduled grace's length, unless a grace end is given),
// then asks the store for the shop's shoppers grouped into classes with their counts (Store.tallyUsage:
// one aggregate, where the data lives) and hands them to the pure report (src/impact/impact-report.ts).
// A summary that lists no ways (written before summaries kept them, or of an account since deleted) comes
// back whole: its account is read (PARALLEL_READS at a time). The CSV's shopper list is streamed a page of
// summaries at a time (affectedShopperPages); the report with its list in memory (`list`) and `fromAccounts`
// — every account read, the straightforward computation the tests hold the fast one to — read every summary.
// See the module header of src/events/shop-usage.ts for why no raw event is read.

import type { Account } from '../accounts/account.ts';
import type { EpochMs } from '../clock.ts';
import { GatewayError, ValidationError } from '../errors.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage } from '../events/shop-usage.ts';
import { inParallel } from '../events/in-parallel.ts';
import { heldWays } from '../events/shop-ways.ts';
import { integrationFor } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';
import type { Store } from '../store/store.ts';
import { type UsageSummary, usageClassOf } from '../store/usage-tally.ts';
import {
  type AffectedShopper,
  affectedShopper,
  type ImpactQuery,
  type ImpactReport,
  impactReport,
  reportFromClasses,
  type Shopper,
  tallyQuery,
} from './impact-report.ts';
import { formatInstant } from '../time/instant.ts';

const PAGE = 5000;
const PARALLEL_READS = 32;

export interface ImpactOptions {
  /** A cutoff being considered; absent: the scheduled one. */
  cutoffAt?: EpochMs;
  /** A grace end being considered; null: no grace at all. */
  graceEndsAt?: EpochMs | null;
  activeDays?: number;
  /** Read each shopper's ways from the account rather than the summary (tests: the straightforward computation). */
  fromAccounts?: boolean;
  /** With the list of affected shoppers (the CSV): every summary is read, page by page, instead of the store's tally. */
  list?: boolean;
}

export async function buildImpactReport(
  store: Store,
  partner: Partner,
  provider: string,
  configured: ReadonlySet<string>,
  now: EpochMs,
  options: ImpactOptions = {},
): Promise<ImpactReport> {
  const query = impactQueryFor(partner, provider, configured, now, options);
  if (options.list || options.fromAccounts) return impactReport(query, await loadShoppers(store, partner.id, options.fromAccounts));
  const tally = tallyQuery(query);
  const { classes, unlisted } = await store.tallyUsage(tally);
  const legacy = await withAccounts(store, unlisted);
  const legacyClasses = legacy.flatMap(({ usage, held }) => usageClassOf(usage, held, tally) ?? []);
  return reportFromClasses(query, [...classes, ...legacyClasses]);
}

/**
 * What the report asks, from the integration's schedule and the dates considered: a ValidationError (nothing
 * read yet) when there is no cutoff to consider or the grace would end before it.
 */
export function impactQueryFor(partner: Partner, provider: string, configured: ReadonlySet<string>, now: EpochMs, options: ImpactOptions = {}): ImpactQuery {
  const integration = integrationFor(partner, provider);
  if (!integration) throw new GatewayError('ERR_NOT_FOUND', `partner "${partner.id}" has no integration with "${provider}"`, { status: 404, expose: true });
  const cutoffAt = options.cutoffAt ?? integration.cutoffAt;
  if (cutoffAt === undefined) {
    throw new ValidationError([
      { field: 'cutoff', message: `no cutoff is scheduled for "${provider}": give the one to consider`, rule: 'impact.cutoffMissing', params: { provider } },
    ]);
  }
  const considered = cutoffAt !== integration.cutoffAt;
  if (considered && cutoffAt <= now) {
    // A scheduled cutoff that passed still has a report (the shoppers it stranded); one only considered must lie ahead.
    throw new ValidationError([
      {
        field: 'cutoff',
        message: `a cutoff to consider must be later than now (${formatInstant(now, partner.timeZone, 'en')})`,
        rule: 'impact.cutoffPast',
        params: { nowAt: now, zone: partner.timeZone },
      },
    ]);
  }
  const scheduledGrace =
    integration.cutoffAt !== undefined && integration.graceEndsAt !== undefined ? integration.graceEndsAt - integration.cutoffAt : undefined;
  const graceEndsAt =
    options.graceEndsAt === null
      ? undefined
      : (options.graceEndsAt ?? (considered ? (scheduledGrace !== undefined ? cutoffAt + scheduledGrace : undefined) : integration.graceEndsAt));
  if (graceEndsAt !== undefined && graceEndsAt < cutoffAt) {
    throw new ValidationError([{ field: 'graceEnds', message: 'must not be before the cutoff', rule: 'impact.graceBeforeCutoff' }]);
  }
  const noticeAt = integration.noticeAt !== undefined && integration.noticeAt <= cutoffAt ? integration.noticeAt : undefined;
  const query: ImpactQuery = {
    partner,
    provider,
    configured,
    now,
    cutoffAt,
    ...(graceEndsAt !== undefined ? { graceEndsAt } : {}),
    ...(noticeAt !== undefined ? { noticeAt } : {}),
    considered,
    ...(options.activeDays !== undefined ? { activeDays: options.activeDays } : {}),
  };
  return query;
}

/**
 * The affected shoppers (the CSV's rows), a page of summaries at a time in the order the store lists them
 * (by id): only one page and its rows are in memory. A summary without ways has its account read; a gone
 * account is left out. A store failure rejects the iteration where it happens, after the pages before it.
 */
export async function* affectedShopperPages(store: Store, query: ImpactQuery, pageSize = PAGE): AsyncGenerator<AffectedShopper[]> {
  const tally = tallyQuery(query);
  for await (const page of summaryPages(store, query.partner.id, pageSize)) {
    const unlisted = page.filter((u) => !u.ways);
    const held = new Map((await withAccounts(store, unlisted)).map((s) => [s.usage.account, s.held]));
    const rows: AffectedShopper[] = [];
    for (const usage of page) {
      const ways = usage.ways ?? held.get(usage.account);
      const row = ways && affectedShopper(tally, { usage, held: ways });
      if (row) rows.push(row);
    }
    yield rows;
  }
}

/** The partner's shop-usage summaries, a page at a time, in id order. */
async function* summaryPages(store: Store, partnerId: string, pageSize = PAGE): AsyncGenerator<ShopUsage[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.list<ShopUsage>(SHOP_USAGE_COLLECTION, {
      index: { name: 'partner', key: partnerId },
      limit: pageSize,
      ...(after ? { after } : {}),
    });
    if (page.length) yield page.map((d) => d.value);
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The partner's shoppers: each shop-usage summary with the ways the account holds — as the summary lists
 * them, or (a summary without them, or `fromAccounts`) as the account holds them. Summaries of accounts
 * that are gone are left out.
 */
export async function loadShoppers(store: Store, partnerId: string, fromAccounts = false): Promise<Shopper[]> {
  const out: Shopper[] = [];
  const unlisted: ShopUsage[] = [];
  for await (const page of summaryPages(store, partnerId)) {
    for (const usage of page) {
      if (usage.ways && !fromAccounts) out.push({ usage, held: usage.ways });
      else unlisted.push(usage);
    }
  }
  return [...out, ...(await withAccounts(store, unlisted))];
}

/** Summaries with the ways their accounts hold (read PARALLEL_READS at a time); gone accounts left out. */
async function withAccounts(store: Store, usages: readonly UsageSummary[]): Promise<Shopper[]> {
  const out: Shopper[] = [];
  await inParallel(usages as readonly ShopUsage[], PARALLEL_READS, async (usage) => {
    const account = await store.get<Account>('accounts', usage.account);
    if (account) out.push({ usage, held: heldWays(account) });
  });
  return out;
}
