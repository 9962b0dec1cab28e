// A deterministic population of one shop's shoppers for the impact report (the benchmark's impact section,
// bench/impact-scale.ts, and the test comparing the fast report with the straightforward one): N accounts
// drawn from a seeded PRNG, each holding a mix of Weibo, QQ, Sohu and a password (some Weibo holders
// migrated to QQ or a password in the last weeks, a few accounts gone since), with `eventsPerAccount`
// sign-in attempts at the shop over the last 260 days (a few denied). Their shop-usage summaries are
// what the login-event recorder leaves: merged from those events, with the ways the account holds (none
// in the share `legacy` of summaries written before they were kept; with legacy data, a gone account's
// summary is there too, without ways, as deletion left it before it removed summaries); the raw events are
// written too when asked (PostgreSQL keeps them). Accounts and summaries go in through `store.load`, chunk
// by chunk; raw events through it too, or through a faster writer the caller gives (10,000,000 of them).

import type { Account } from '../src/accounts/account.ts';
import { DAY_MS, type LoginEvent } from '../src/events/login-event.ts';
import { LOGIN_EVENTS_COLLECTION, rawEventPrefix } from '../src/events/forget-account.ts';
import { DEFAULT_RETENTION_DAYS } from '../src/events/recorder.ts';
import { mergeUsage, SHOP_USAGE_COLLECTION, shopUsageId } from '../src/events/shop-usage.ts';
import { heldWays } from '../src/events/shop-ways.ts';
import type { Partner } from '../src/partners/partner.ts';
import type { DumpedDocument, Store } from '../src/store/store.ts';
import { prng } from '../src/sandbox/population.ts';

/** The instant the population is generated against (and the report asked at). */
export const IMPACT_NOW = Date.UTC(2026, 10, 20, 4, 0, 0);
export const IMPACT_PARTNER_ID = 'impactshop';
export const IMPACT_CONFIGURED: ReadonlySet<string> = new Set(['weibo', 'qq', 'sohu', 'password']);
const RETENTION_MS = DEFAULT_RETENTION_DAYS * DAY_MS;
const CHUNK = 5000;

/** The shop: Weibo in notice (cutoff in 30 days, 30 days' grace), Sohu ending before it, QQ and a password live. */
export function impactPartner(): Partner {
  const live = { newAccountsDuringNotice: true, atCutoff: 'keep' as const };
  return {
    id: IMPACT_PARTNER_ID,
    name: { 'zh-CN': '影响商店', en: 'Impact shop' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    clients: [],
    integrations: [
      { provider: 'weibo', ...live, noticeAt: IMPACT_NOW - 20 * DAY_MS, cutoffAt: IMPACT_NOW + 30 * DAY_MS, graceEndsAt: IMPACT_NOW + 60 * DAY_MS },
      { provider: 'qq', ...live },
      { provider: 'sohu', ...live, cutoffAt: IMPACT_NOW + 10 * DAY_MS },
      { provider: 'password', ...live },
    ],
    createdAt: IMPACT_NOW - 1000 * DAY_MS,
    updatedAt: IMPACT_NOW - 1000 * DAY_MS,
  };
}

export interface PopulationOptions {
  accounts: number;
  /** Sign-in attempts per account at the shop (10 gives 10,000,000 events for 1,000,000 accounts). */
  eventsPerAccount: number;
  /** Write the raw events too. */
  raw: boolean;
  seed?: number;
  /** The share of summaries without ways (written before they were kept): default none. */
  legacy?: number;
  progress?: (done: number, total: number) => void;
  /** How the raw events are written (default store.load); called with one chunk's events at a time. */
  writeRaw?: (documents: DumpedDocument[]) => Promise<void>;
}

export interface PopulationCounts {
  accounts: number;
  summaries: number;
  events: number;
}

export function impactAccountId(n: number): string {
  return `impact-account-${String(n).padStart(7, '0')}`;
}

/**
 * Generates the population into the store, CHUNK accounts (with their summaries and events) per load. A
 * chunk is written while the next is generated (at most two in memory); its raw events go through
 * `o.writeRaw` when given (bench/bulk-documents.ts on PostgreSQL, its own connection, beside the store's
 * loads of the accounts and summaries), else through store.load. What is written never depends on how.
 */
export async function loadImpactPopulation(store: Store, o: PopulationOptions): Promise<PopulationCounts> {
  const random = prng(o.seed ?? 16);
  const counts: PopulationCounts = { accounts: 0, summaries: 0, events: 0 };
  const writeRaw = o.writeRaw ?? ((docs: DumpedDocument[]) => store.load(LOGIN_EVENTS_COLLECTION, docs));
  let writing: Promise<void> = Promise.resolve();
  for (let first = 1; first <= o.accounts; first += CHUNK) {
    const chunk = generateChunk(random, o, first, Math.min(first + CHUNK - 1, o.accounts));
    await writing;
    const done = chunk.last;
    writing = Promise.all([
      (async () => {
        await store.load('accounts', chunk.accounts);
        await store.load(SHOP_USAGE_COLLECTION, chunk.usages);
      })(),
      chunk.raw.length ? writeRaw(chunk.raw) : undefined,
    ]).then(() => {
      counts.accounts += chunk.accounts.length;
      counts.summaries += chunk.usages.length;
      counts.events += chunk.raw.length;
      o.progress?.(done, o.accounts);
    });
    // A failed write surfaces at the next await (or below), never as an unhandled rejection meanwhile.
    writing.catch(() => undefined);
  }
  await writing;
  return counts;
}

interface Chunk {
  last: number;
  accounts: DumpedDocument[];
  usages: DumpedDocument[];
  raw: DumpedDocument[];
}

/** Shoppers first..last, drawn from `random` in order (the same draws whatever writes them). */
function generateChunk(random: () => number, o: PopulationOptions, first: number, last: number): Chunk {
  const chunk: Chunk = { last, accounts: [], usages: [], raw: [] };
  for (let n = first; n <= last; n++) {
    const { account, events, deleted } = shopper(n, random, o.eventsPerAccount);
    if (!deleted) chunk.accounts.push({ id: account.id, value: account });
    const successes = events.filter((e) => e.outcome === 'success');
    // Deleting an account removes its summaries (src/events/forget-account.ts); a gone account's summary
    // is left only among the legacy data, written before deletion did so.
    if (successes.length && (!deleted || (o.legacy ?? 0) > 0)) {
      const merged = mergeUsage(undefined, IMPACT_PARTNER_ID, account.id, successes);
      const usage = deleted || ((o.legacy ?? 0) > 0 && random() < o.legacy!) ? merged : { ...merged, ways: heldWays(account) };
      chunk.usages.push({ id: shopUsageId(IMPACT_PARTNER_ID, account.id), value: usage, expiresAt: usage.lastAt + RETENTION_MS });
    }
    if (o.raw)
      for (const [k, e] of events.entries())
        chunk.raw.push({
          // As the recorder names them: an account's events lead with it (src/events/forget-account.ts).
          id: `${e.account ? rawEventPrefix(e.account) : ''}${e.at.toString(36).padStart(9, '0')}-${n.toString(16)}-${k}`,
          value: e,
          expiresAt: e.at + RETENTION_MS,
        });
  }
  return chunk;
}

/** The n-th shopper: the ways they hold (and since when) and their sign-in attempts at the shop. */
function shopper(n: number, random: () => number, eventsPerAccount: number): { account: Account; events: LoginEvent[]; deleted: boolean } {
  const id = impactAccountId(n);
  const createdAt = IMPACT_NOW - Math.floor((400 + random() * 1000) * DAY_MS);
  const held: Record<string, number> = {};
  if (random() < 0.75) held.weibo = createdAt;
  if (random() < 0.3) held.qq = createdAt + Math.floor(random() * 200 * DAY_MS);
  if (random() < 0.15) held.sohu = createdAt + Math.floor(random() * 200 * DAY_MS);
  if (random() < 0.2) held.password = createdAt + Math.floor(random() * 200 * DAY_MS);
  if (Object.keys(held).length === 0) held.weibo = createdAt;
  // Migration: some Weibo holders added QQ or a password in the last 30 days (notice began 20 days ago).
  if (held.weibo !== undefined && random() < 0.12) held[random() < 0.5 ? 'qq' : 'password'] = IMPACT_NOW - Math.floor(random() * 30 * DAY_MS);
  const account: Account = {
    id,
    createdAt,
    identities: Object.entries(held)
      .filter(([m]) => m !== 'password')
      .map(([provider, at]) => ({
        provider,
        subject: `${provider}-${n}`,
        keys: [`${provider}:uid:${n}`],
        displayName: `Shopper ${n}`,
        linkedAt: at,
        lastUsedAt: at,
      })),
    profile: { name: `Shopper ${n}` },
    shops: { [IMPACT_PARTNER_ID]: { firstAt: createdAt, lastAt: createdAt, lastProvider: Object.keys(held)[0]! } },
    ...(held.password !== undefined ? { native: { passwordHash: 'bench-hash', passwordSetAt: held.password } } : {}),
  };
  // Sign-ins: mostly with Weibo when held, over the last 260 days (some shoppers no longer active).
  const methods = Object.keys(held);
  const lastDay = random() * 200;
  const events: LoginEvent[] = [];
  for (let k = 0; k < eventsPerAccount; k++) {
    const method = held.weibo !== undefined && random() < 0.6 ? 'weibo' : methods[Math.floor(random() * methods.length)]!;
    const at = Math.max(createdAt, IMPACT_NOW - Math.floor((lastDay + random() * 60) * DAY_MS));
    const outcome = random() < 0.05 ? 'denied' : 'success';
    events.push({ at, partner: IMPACT_PARTNER_ID, method, outcome, account: id });
  }
  return { account, events, deleted: random() < 0.005 };
}
