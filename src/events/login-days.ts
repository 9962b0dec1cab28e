// Per shop and day, how many sign-in attempts each method had by outcome, and how many accounts each
// created: the small aggregate per-provider analytics (issue 16 §3) can chart without raw events. One
// document per (partner, UTC day), found by partner; merged from buffered events (src/events/recorder.ts).

import { dayOf, type LoginEvent } from './login-event.ts';

export const LOGIN_DAYS_COLLECTION = 'login_days';

export interface LoginDay {
  partner: string;
  /** Days since the epoch (UTC). */
  day: number;
  /** Attempts by `<method>|<outcome>`, e.g. `weibo|success`. */
  counts: Record<string, number>;
  /** Accounts created, by method. */
  created: Record<string, number>;
}

export function loginDayId(partner: string, day: number): string {
  return `${partner}:${String(day).padStart(6, '0')}`;
}

/** The day's counts with these events (all of one partner and day) added. Pure. */
export function mergeDay(current: LoginDay | undefined, partner: string, day: number, events: readonly LoginEvent[]): LoginDay {
  const counts = { ...(current?.counts ?? {}) };
  const created = { ...(current?.created ?? {}) };
  for (const e of events) {
    if (dayOf(e.at) !== day) continue;
    const key = `${e.method}|${e.outcome}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (e.created) created[e.method] = (created[e.method] ?? 0) + 1;
  }
  return { partner, day, counts, created };
}
