// Per account and shop, which sign-in methods were used there and when: the data the impact report reads
// instead of raw events. One small document per (partner, account), found by partner. Each method keeps
// its first and last successful use and its successful sign-ins per day for the last COUNT_DAYS days, so
// "Weibo sign-ins at the shop in the last 30 days" needs no raw event. Merged from buffered events only
// (src/events/recorder.ts), never written on a login's request path. It also lists the ways into the shop
// the account holds (src/events/shop-ways.ts), so the report needs no read of the account.

import type { EpochMs } from '../clock.ts';
import { dayOf, type LoginEvent } from './login-event.ts';
import { signInsFromDay, USAGE_COLLECTION } from '../store/usage-tally.ts';
import type { HeldWays } from './shop-ways.ts';

/** The collection (its name is the store's: Store.tallyUsage reads it). */
export const SHOP_USAGE_COLLECTION = USAGE_COLLECTION;
/** Per-day counts older than this many days are dropped when the document is next written. */
export const COUNT_DAYS = 35;

export interface MethodUse {
  firstAt: EpochMs;
  lastAt: EpochMs;
  /** Successful sign-ins per day: [day since epoch, count], oldest first, last COUNT_DAYS days. */
  days: [number, number][];
}

export interface ShopUsage {
  partner: string;
  account: string;
  methods: Record<string, MethodUse>;
  lastAt: EpochMs;
  /** The ways the account holds (src/events/shop-ways.ts); absent in a summary written before they were kept. */
  ways?: HeldWays;
}

export function shopUsageId(partner: string, account: string): string {
  return `${partner}:${account}`;
}

/** The summary with these successful events (all of one partner and account) added. Pure. */
export function mergeUsage(current: ShopUsage | undefined, partner: string, account: string, events: readonly LoginEvent[]): ShopUsage {
  const methods: Record<string, MethodUse> = { ...(current?.methods ?? {}) };
  let lastAt = current?.lastAt ?? 0;
  for (const e of events) {
    const prev = methods[e.method];
    const day = dayOf(e.at);
    const days = (prev?.days ?? []).map(([d, n]) => [d, n] as [number, number]);
    const today = days.find(([d]) => d === day);
    if (today) today[1] += 1;
    else {
      days.push([day, 1]);
      days.sort((a, b) => a[0] - b[0]);
    }
    methods[e.method] = {
      firstAt: Math.min(prev?.firstAt ?? e.at, e.at),
      lastAt: Math.max(prev?.lastAt ?? e.at, e.at),
      days,
    };
    lastAt = Math.max(lastAt, e.at);
  }
  const oldest = dayOf(lastAt) - COUNT_DAYS;
  for (const [m, use] of Object.entries(methods)) methods[m] = { ...use, days: use.days.filter(([d]) => d > oldest) };
  return { partner, account, methods, lastAt, ...(current?.ways ? { ways: current.ways } : {}) };
}

/** Successful sign-ins with `method` from `from` (inclusive) on, counted by day. */
export function signInsSince(use: MethodUse | undefined, from: EpochMs): number {
  return use ? signInsFromDay(use.days, dayOf(from)) : 0;
}
