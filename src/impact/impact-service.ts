// Builds the impact report for a partner's integration from the store: resolves the cutoff (the scheduled
// one, or one being considered — its grace keeps the scheduled grace's length, unless a grace end is given),
// then reads the partner's shop-usage summaries (one indexed listing, in pages), each with the ways the
// account holds (src/events/shop-ways.ts), and hands them to the pure report (src/impact/impact-report.ts).
// Cost: one listing of compact summaries, no read of any account — except for a summary written before
// they kept the ways (its account is read, PARALLEL_READS at a time). `fromAccounts` reads every account
// instead: the straightforward computation, which the tests hold the fast one to.
// See the module header of src/events/shop-usage.ts for why no raw event is read.

import type { Account } from '../accounts/account.ts';
import type { EpochMs } from '../clock.ts';
import { GatewayError, ValidationError } from '../errors.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage } from '../events/shop-usage.ts';
import { heldWays } from '../events/shop-ways.ts';
import { integrationFor } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';
import type { Store } from '../store/store.ts';
import { type ImpactReport, impactReport, type Shopper } from './impact-report.ts';

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
}

export async function buildImpactReport(
  store: Store,
  partner: Partner,
  provider: string,
  configured: ReadonlySet<string>,
  now: EpochMs,
  options: ImpactOptions = {},
): Promise<ImpactReport> {
  const integration = integrationFor(partner, provider);
  if (!integration) throw new GatewayError('ERR_NOT_FOUND', `partner "${partner.id}" has no integration with "${provider}"`, { status: 404, expose: true });
  const cutoffAt = options.cutoffAt ?? integration.cutoffAt;
  if (cutoffAt === undefined) {
    throw new ValidationError([
      { field: 'cutoff', message: `no cutoff is scheduled for "${provider}": give the one to consider`, rule: 'impact.cutoffMissing', params: { provider } },
    ]);
  }
  const considered = cutoffAt !== integration.cutoffAt;
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
  const shoppers = await loadShoppers(store, partner.id, options.fromAccounts);
  return impactReport(
    {
      partner,
      provider,
      configured,
      now,
      cutoffAt,
      ...(graceEndsAt !== undefined ? { graceEndsAt } : {}),
      ...(noticeAt !== undefined ? { noticeAt } : {}),
      considered,
      ...(options.activeDays !== undefined ? { activeDays: options.activeDays } : {}),
    },
    shoppers,
  );
}

/**
 * The partner's shoppers: each shop-usage summary with the ways the account holds — as the summary lists
 * them, or (a summary without them, or `fromAccounts`) as the account holds them. Summaries of accounts
 * that are gone are left out.
 */
export async function loadShoppers(store: Store, partnerId: string, fromAccounts = false): Promise<Shopper[]> {
  const out: Shopper[] = [];
  const unlisted: ShopUsage[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list<ShopUsage>(SHOP_USAGE_COLLECTION, { index: { name: 'partner', key: partnerId }, limit: PAGE, ...(after ? { after } : {}) });
    for (const { value: usage } of page) {
      if (usage.ways && !fromAccounts) out.push({ usage, held: usage.ways });
      else unlisted.push(usage);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unlisted.length) {
      const usage = unlisted[next++]!;
      const account = await store.get<Account>('accounts', usage.account);
      if (account) out.push({ usage, held: heldWays(account) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, unlisted.length) }, worker));
  return out;
}
