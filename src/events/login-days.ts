// Per shop and day, how many sign-in attempts each method had by outcome, how many accounts each created,
// how many provider identities its shoppers linked and unlinked, and how long each provider's upstream
// calls took (a histogram of fixed buckets, so medians and 95th percentiles can be estimated without
// keeping samples): the aggregate the per-provider analytics (src/analytics) reads instead of raw events.
// One document per (partner, day), found by partner; merged from buffered events and day notes
// (src/events/recorder.ts), never written on a login's request path.
// A day is a calendar date in the shop's time zone (Partner.timeZone): a sign-in at 23:30 UTC counts toward
// the next day at a shop in Asia/Shanghai, because that is the day its manager reads. When a shop changes
// its zone, the days already counted stay as counted (nothing is re-bucketed: the embedded store keeps no
// raw events to re-bucket from, and a count is never moved or counted twice); sign-ins from the change on
// count toward their date in the new zone, so the day of the change may hold some of both zones' idea of
// that date. Each summary names the zone of its last write (`zone`); one without it was counted in UTC.

import { type DayNote, type LoginEvent, localDayOf } from './login-event.ts';

export const LOGIN_DAYS_COLLECTION = 'login_days';

/** Upper bounds (ms) of the upstream-time buckets; one more bucket holds everything slower. */
export const UPSTREAM_BUCKETS_MS = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000] as const;

export interface LoginDay {
  partner: string;
  /** The date, as days since the epoch: a calendar date in `zone`. */
  day: number;
  /** The IANA zone the date was counted in (the shop's at the last write); absent: UTC (written before zones). */
  zone?: string;
  /** Attempts by `<method>|<outcome>`, e.g. `weibo|success`. */
  counts: Record<string, number>;
  /** Accounts created, by method. */
  created: Record<string, number>;
  /** Identities linked by the shop's shoppers, by provider (absent in days written before it was counted). */
  links?: Record<string, number>;
  /** Identities unlinked by the shop's shoppers, by provider. */
  unlinks?: Record<string, number>;
  /** Upstream time of provider callbacks, by provider: counts per UPSTREAM_BUCKETS_MS bucket (+1 overflow). */
  upstream?: Record<string, number[]>;
}

export function loginDayId(partner: string, day: number): string {
  return `${partner}:${String(day).padStart(6, '0')}`;
}

/** The bucket of an upstream time: the first bound it does not exceed, else the overflow bucket. */
export function upstreamBucket(ms: number): number {
  const i = UPSTREAM_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? UPSTREAM_BUCKETS_MS.length : i;
}

/** The day's summary with these events and notes (all of one partner, on `day` in `zone`) added. Pure. */
export function mergeDay(current: LoginDay | undefined, partner: string, day: number, zone: string, events: readonly (LoginEvent | DayNote)[]): LoginDay {
  const counts = { ...(current?.counts ?? {}) };
  const created = { ...(current?.created ?? {}) };
  const links = { ...(current?.links ?? {}) };
  const unlinks = { ...(current?.unlinks ?? {}) };
  const upstream = Object.fromEntries(Object.entries(current?.upstream ?? {}).map(([m, b]) => [m, [...b]]));
  const add = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1;
  };
  for (const e of events) {
    if (localDayOf(e.at, zone) !== day) continue;
    if (!('kind' in e)) {
      add(counts, `${e.method}|${e.outcome}`);
      if (e.created) add(created, e.method);
    } else if (e.kind !== 'upstream') add(e.kind === 'link' ? links : unlinks, e.method);
    else {
      const buckets = upstream[e.method] ?? new Array<number>(UPSTREAM_BUCKETS_MS.length + 1).fill(0);
      buckets[upstreamBucket(e.ms)]! += 1;
      upstream[e.method] = buckets;
    }
  }
  return {
    partner,
    day,
    zone,
    counts,
    created,
    ...(Object.keys(links).length ? { links } : {}),
    ...(Object.keys(unlinks).length ? { unlinks } : {}),
    ...(Object.keys(upstream).length ? { upstream } : {}),
  };
}
