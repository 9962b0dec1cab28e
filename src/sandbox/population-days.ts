// The sandbox population's sign-in history as per-day summaries (src/events/login-days.ts), so the
// partner pages' analytics show the same history the impact report reads: each shop's successful sign-ins
// per day and method from the shop-usage summaries, plus — drawn from a seeded PRNG, the same every start —
// a few denied and failed attempts per provider (Weibo failing most, as in 2013), the upstream time of
// each provider round trip, and the identities linked in those days (counted at every shop the account uses).
// Days are dates in each shop's time zone, as the recorder counts them (src/events/login-days.ts): a
// usage summary's day d is taken as that date at the shop, and its sign-ins are placed within it.

import { DateTime } from 'luxon';
import type { Account } from '../accounts/account.ts';
import { DAY_MS, type DayNote, dayOf, type LoginEvent, localDayOf } from '../events/login-event.ts';
import { type LoginDay, mergeDay } from '../events/login-days.ts';
import type { ShopUsage } from '../events/shop-usage.ts';
import { prng } from './population.ts';

/** Per provider: share of attempts denied, share failed upstream, typical upstream time (ms). */
const BEHAVIOUR: Record<string, { denied: number; failed: number; ms: number }> = {
  weibo: { denied: 0.03, failed: 0.07, ms: 420 },
  qq: { denied: 0.02, failed: 0.01, ms: 180 },
  sohu: { denied: 0.03, failed: 0.03, ms: 650 },
  wechat: { denied: 0.04, failed: 0.01, ms: 220 },
};

/** `zoneOf` gives each shop's time zone. */
export function populationDays(accounts: readonly Account[], usages: readonly ShopUsage[], zoneOf: (partner: string) => string): LoginDay[] {
  const rnd = prng(20131001);
  const events = new Map<string, (LoginEvent | DayNote)[]>();
  const add = (e: LoginEvent | DayNote) => {
    const key = `${e.partner}|${localDayOf(e.at, zoneOf(e.partner))}`;
    (events.get(key) ?? events.set(key, []).get(key)!).push(e);
  };
  let first = Number.POSITIVE_INFINITY;
  for (const u of usages) {
    for (const [method, use] of Object.entries(u.methods)) {
      const b = BEHAVIOUR[method];
      for (const [day, n] of use.days) {
        first = Math.min(first, day);
        const at = localMidnight(day, zoneOf(u.partner)) + Math.floor(rnd() * DAY_MS);
        for (let i = 0; i < n; i++) {
          add({ at, partner: u.partner, method, outcome: 'success', account: u.account });
          if (!b) continue;
          // Upstream time: roughly log-normal around the provider's typical time.
          add({ at, partner: u.partner, method, kind: 'upstream', ms: Math.round(b.ms * Math.exp((rnd() + rnd() + rnd() - 1.5) * 0.8)) });
          if (rnd() < b.denied) add({ at, partner: u.partner, method, outcome: 'denied', step: 'provider_denied' });
          if (rnd() < b.failed) {
            add({ at, partner: u.partner, method, outcome: 'upstream_failure', step: 'token_exchange' });
            add({ at, partner: u.partner, method, kind: 'upstream', ms: Math.round(b.ms * (3 + rnd() * 10)) });
          }
        }
      }
    }
  }
  for (const a of accounts) {
    for (const identity of a.identities) {
      if (dayOf(identity.linkedAt) < first) continue;
      for (const partner of Object.keys(a.shops)) add({ at: identity.linkedAt, partner, method: identity.provider, kind: 'link' });
    }
  }
  return [...events.values()].map((list) => {
    const { partner, at } = list[0]!;
    const zone = zoneOf(partner);
    return mergeDay(undefined, partner, localDayOf(at, zone), zone, list);
  });
}

/** The instant date `day` (days since the epoch) begins in `zone`. */
function localMidnight(day: number, zone: string): number {
  return DateTime.fromMillis(day * DAY_MS, { zone: 'UTC' })
    .setZone(zone, { keepLocalTime: true })
    .toMillis();
}
