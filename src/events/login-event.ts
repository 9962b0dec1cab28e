// What one sign-in attempt through Denglu records: when, at which shop, with which method (a provider id,
// `password`, `phone`), for which account when one was proven, and how it ended — success, denied (the
// shopper or the provider said no, a wrong password), an upstream failure with its step, or refused by
// the integration's lifecycle (ended, in grace, new accounts closed). Success says whether the account was
// new and whether the sign-in came through the notice interstitial or through migration (a replacement
// linked during grace). Flat and small so per-day aggregates and later analytics can be built from it.
// Links, unlinks and upstream timings are day notes: they only feed the per-day summary (login-days.ts).

import { DateTime } from 'luxon';
import type { EpochMs } from '../clock.ts';

export type LoginOutcome = 'success' | 'denied' | 'upstream_failure' | 'refused';

export interface LoginEvent {
  at: EpochMs;
  partner: string;
  /** A provider id, `password` or `phone`. */
  method: string;
  outcome: LoginOutcome;
  /** The account proven, when one was (never on an upstream failure before the identity was read). */
  account?: string;
  /** Success only: the account was created by this sign-in. */
  created?: boolean;
  /** Success only: through the notice interstitial, or through migration (a replacement added in grace). */
  via?: 'notice' | 'migration';
  /** Migration only: the method in grace the shopper proved before adding `method`. */
  replaced?: string;
  /** upstream_failure: the step that failed (src/errors.ts UpstreamStep); refused: the lifecycle reason. */
  step?: string;
}

/**
 * What else a shop's per-day summary counts, apart from sign-in attempts: a provider identity linked or
 * unlinked by a shopper of the shop, and the time the upstream calls of one provider callback took.
 */
export type DayNote =
  | { at: EpochMs; partner: string; method: string; kind: 'link' | 'unlink' }
  | { at: EpochMs; partner: string; method: string; kind: 'upstream'; ms: number };

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Days since the epoch (UTC): the unit of per-day counts. */
export function dayOf(at: EpochMs): number {
  return Math.floor(at / DAY_MS);
}

/**
 * The calendar date of an instant in `zone` (a shop's IANA time zone), as days since the epoch of that
 * date: 2013-09-20T23:30Z is day 2013-09-21 in Asia/Shanghai. An unknown zone counts as UTC.
 */
export function localDayOf(at: EpochMs, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  if (!local.isValid) return dayOf(at);
  return Math.round(Date.UTC(local.year, local.month - 1, local.day) / DAY_MS);
}

/** A day since the epoch as its date, `YYYY-MM-DD` (the UTC date, or the local date of a localDayOf). */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
