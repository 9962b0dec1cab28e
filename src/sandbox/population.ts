// The sandbox's shoppers, so the impact report has something true to show at the simulated 2013-09-20:
// a deterministic population (the same every start, from a seeded PRNG) of accounts with linked Weibo, QQ,
// Sohu, WeChat, passwords and phones, and their sign-in histories at JD and Taobao as shop-usage summaries
// (src/events/shop-usage.ts) ending at POPULATION_UNTIL, and as per-day summaries for the analytics
// (population-days.ts). Some of JD's Weibo shoppers migrated after notice began on 10 September 2013
// (linked QQ, a password or a phone and used it at JD since). Seeded once (a marker document in `jobs`),
// written with three bulk loads. Identity keys live in their own namespace
// (`<provider>:sandbox-population:<n>`), so no emulator sign-in ever lands in one of these accounts, and
// nobody knows their passwords (the gateway's own hash of a random password, made at start anyway).

import type { Account, LinkedIdentity } from '../accounts/account.ts';
import { dummyHash } from '../accounts/password-hash.ts';
import { DAY_MS, dayOf } from '../events/login-event.ts';
import { heldWays } from '../events/shop-ways.ts';
import { COUNT_DAYS, SHOP_USAGE_COLLECTION, type MethodUse, type ShopUsage, shopUsageId } from '../events/shop-usage.ts';
import { LOGIN_DAYS_COLLECTION, loginDayId } from '../events/login-days.ts';
import { JOBS_COLLECTION } from '../jobs/cluster-job.ts';
import { listPartners } from '../partners/partners.ts';
import { populationDays } from './population-days.ts';
import type { DumpedDocument, Store } from '../store/store.ts';

export const POPULATION_UNTIL = Date.parse('2013-09-20T10:00:00+08:00');
const NOTICE_AT = Date.parse('2013-09-10T00:00:00+08:00');
const MARKER = 'sandbox-population';
const ACCOUNTS = 4000;

/** Which shops an account uses, and the methods each shop offers (config/sandbox-seed.ts). */
const SHOPS: Record<string, readonly string[]> = {
  jd: ['weibo', 'qq', 'sohu', 'wechat', 'password', 'phone'],
  taobao: ['weibo', 'qq', 'wechat', 'phone'],
};

/** mulberry32: a small deterministic PRNG (not for secrets). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Population {
  accounts: Account[];
  usages: ShopUsage[];
}

/** The population, pure and deterministic; `passwordHash` is what the password holders get. */
export function population(passwordHash: string): Population {
  const rnd = prng(20130920);
  const pick = (p: number) => rnd() < p;
  const between = (from: number, to: number) => Math.floor(from + rnd() * (to - from));
  const accounts: Account[] = [];
  const usages: ShopUsage[] = [];
  for (let n = 0; n < ACCOUNTS; n++) {
    const id = `5eed2013-0920-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const createdAt = between(POPULATION_UNTIL - 700 * DAY_MS, POPULATION_UNTIL - 60 * DAY_MS);
    const has: Record<string, number> = {};
    // The way the shopper first came with, then others added over time.
    const first = ['weibo', 'weibo', 'weibo', 'qq', 'qq', 'sohu', 'wechat', 'password'][between(0, 8)]!;
    has[first] = createdAt;
    for (const [m, p] of [
      ['weibo', 0.15],
      ['qq', 0.25],
      ['sohu', 0.08],
      ['wechat', 0.1],
      ['password', 0.15],
      ['phone', 0.1],
    ] as const) {
      if (has[m] === undefined && pick(p)) has[m] = between(createdAt, POPULATION_UNTIL - 30 * DAY_MS);
    }
    const shops = pick(0.55) ? ['jd'] : pick(0.6) ? ['taobao'] : ['jd', 'taobao'];
    // Migration at JD: a Weibo-only shopper who added another way after notice began, and used it since.
    const migrates = shops.includes('jd') && has.weibo !== undefined && Object.keys(has).length === 1 && pick(0.2);
    let migratedWith: string | undefined;
    if (migrates) {
      migratedWith = ['qq', 'qq', 'password', 'phone'][between(0, 4)]!;
      has[migratedWith] = between(NOTICE_AT, POPULATION_UNTIL - DAY_MS);
    }
    const held = account(id, n, createdAt, has, passwordHash, shops);
    for (const shop of shops) {
      const offered = SHOPS[shop]!.filter((m) => has[m] !== undefined);
      if (offered.length === 0) continue;
      // Inactive for more than 180 days: about one in ten.
      const lastAt = pick(0.1)
        ? between(POPULATION_UNTIL - 300 * DAY_MS, POPULATION_UNTIL - 181 * DAY_MS)
        : between(POPULATION_UNTIL - 170 * DAY_MS, POPULATION_UNTIL);
      const methods: Record<string, MethodUse> = {};
      offered.forEach((m, i) => {
        // The way held first is always used; others about half the time.
        if (i > 0 && m !== migratedWith && !pick(0.5)) return;
        const since = Math.max(has[m]!, createdAt);
        const last = m === migratedWith && shop === 'jd' ? between(has[m]!, POPULATION_UNTIL) : between(Math.max(since, lastAt - 90 * DAY_MS), lastAt + 1);
        methods[m] = { firstAt: since, lastAt: Math.max(since, last), days: recentDays(rnd, Math.max(since, last)) };
      });
      if (Object.keys(methods).length === 0) continue;
      const usageLast = Math.max(...Object.values(methods).map((u) => u.lastAt));
      usages.push({ partner: shop, account: id, methods, lastAt: usageLast, ways: heldWays(held) });
    }
    accounts.push(held);
  }
  return { accounts, usages };
}

/** A few sign-ins per day on random days of the last COUNT_DAYS days up to `last`. */
function recentDays(rnd: () => number, last: number): [number, number][] {
  const until = dayOf(last);
  const from = dayOf(POPULATION_UNTIL) - COUNT_DAYS + 1;
  const days: [number, number][] = [];
  for (let d = Math.max(from, until - 30); d <= until; d++) if (rnd() < 0.15 || d === until) days.push([d, 1 + Math.floor(rnd() * 3)]);
  return days.filter(([d]) => d >= from);
}

function account(id: string, n: number, createdAt: number, has: Record<string, number>, passwordHash: string, shops: string[]): Account {
  const identities: LinkedIdentity[] = Object.entries(has)
    .filter(([m]) => m !== 'password' && m !== 'phone')
    .map(([provider, at]) => ({
      provider,
      subject: `sandbox-population-${n}`,
      keys: [`${provider}:sandbox-population:${n}`],
      displayName: `${provider === 'weibo' ? '微博' : provider === 'qq' ? 'QQ' : provider === 'sohu' ? '搜狐' : '微信'}用户${1000 + n}`,
      linkedAt: at,
      lastUsedAt: at,
    }));
  return {
    id,
    createdAt,
    identities,
    profile: { name: `顾客${1000 + n}` },
    shops: Object.fromEntries(shops.map((s) => [s, { firstAt: createdAt, lastAt: POPULATION_UNTIL - DAY_MS, lastProvider: Object.keys(has)[0]! }])),
    ...(has.password !== undefined
      ? { native: { email: `shopper${n}@population.sandbox.invalid`, emailVerifiedAt: has.password, passwordHash, passwordSetAt: has.password } }
      : {}),
    ...(has.phone !== undefined ? { phone: { number: `+86170${String(n).padStart(8, '0')}`, verifiedAt: has.phone } } : {}),
  };
}

/** Seeds the population once per data store; resolves to how many accounts it wrote (0: already there). */
export async function seedPopulation(store: Store): Promise<number> {
  if (await store.get(JOBS_COLLECTION, MARKER)) return 0;
  const { accounts, usages } = population(await dummyHash());
  const zones = new Map((await listPartners(store)).map((p) => [p.id, p.timeZone]));
  const docs = <T>(items: T[], idOf: (t: T) => string): DumpedDocument[] => items.map((value) => ({ id: idOf(value), value }));
  await store.load(
    'accounts',
    docs(accounts, (a) => a.id),
  );
  await store.load(
    SHOP_USAGE_COLLECTION,
    docs(usages, (u) => shopUsageId(u.partner, u.account)),
  );
  await store.load(
    LOGIN_DAYS_COLLECTION,
    docs(
      populationDays(accounts, usages, (id) => zones.get(id) ?? 'UTC'),
      (d) => loginDayId(d.partner, d.day),
    ),
  );
  await store.put(JOBS_COLLECTION, MARKER, { startedAt: POPULATION_UNTIL });
  return accounts.length;
}
