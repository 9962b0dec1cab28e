// Brute-force protection for everything that checks a password, with counters in the ephemeral store.
// Each attempt is charged to its keys before the password is looked at (parallel guesses cannot outrun
// the counters) and refunded when it succeeds. A key charged past its rule's threshold locks; a locked
// attempt is refused without counting, and callers answer it exactly like a wrong password. Locks grow:
// each new lock of a key doubles the last, up to the rule's maximum; a key untouched for a day is forgotten.
//
// Sign-in rules (also used for the current password when changing it):
// - per (email, IP): 5 failures → locked 1 min, then 2, 4, 8 … up to 60 min. A success clears it.
// - per email, from every IP: 20 failures → locked 5 min, doubling up to 60 min (distributed guessing;
//   the price is that an attacker can pause password sign-in for a victim, whose social sign-in and the
//   reset by email keep working; a password reset clears the email's counters).
// - per IP, every email: 100 failures → locked 1 min, doubling up to 60 min (password spraying; high
//   because many shoppers share a carrier NAT address). The IP is the socket's: proxies are not trusted.
// Mail: at most 5 reset links per email address and 5 verification mails per account, per hour.
// Texts (codes to phone numbers): at most SMS_PER_NUMBER_PER_DAY (10) a day to one number, and
// SMS_PER_IP_PER_HOUR (60) an hour and SMS_PER_IP_PER_DAY (300) a day from one IP.
// A locked key tells when it opens again (pausedUntil), so a page can say for how long sign-in is paused:
// the same for every email, known or not.

import { createHash } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { upsert } from '../store/upsert.ts';

export const THROTTLE_COLLECTION = 'throttle';

export interface LimitRule {
  /** Failures allowed before the key locks. */
  threshold: number;
  firstLockMs: number;
  maxLockMs: number;
  /** A key untouched this long starts over (failures and lock growth). */
  forgetMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const RULES = {
  pair: { threshold: 5, firstLockMs: MINUTE, maxLockMs: 60 * MINUTE, forgetMs: DAY },
  email: { threshold: 20, firstLockMs: 5 * MINUTE, maxLockMs: 60 * MINUTE, forgetMs: DAY },
  ip: { threshold: 100, firstLockMs: MINUTE, maxLockMs: 60 * MINUTE, forgetMs: DAY },
  mail: { threshold: 5, firstLockMs: 60 * MINUTE, maxLockMs: 60 * MINUTE, forgetMs: 60 * MINUTE },
} as const satisfies Record<string, LimitRule>;

export interface Charge {
  /** Document id of the counter. */
  key: string;
  rule: LimitRule;
  /** Cleared together (e.g. every counter of one email, on password reset). */
  subject?: string;
  /** Cleared on success instead of refunded (the per-pair series). */
  clearOnSuccess?: boolean;
}

interface Counter {
  subject?: string;
  failures: number;
  locks: number;
  lockedUntil?: EpochMs;
  updatedAt: EpochMs;
}

export const emailKey = (email: string): string => createHash('sha256').update(`email:${email}`).digest('base64url').slice(0, 32);

/** The counters a password check for `email` from `ip` is charged to. */
export function signInCharges(email: string, ip: string): Charge[] {
  const subject = emailKey(email);
  return [
    { key: `pair:${subject}:${ip}`, rule: RULES.pair, subject, clearOnSuccess: true },
    { key: `email:${subject}`, rule: RULES.email, subject },
    { key: `ip:${ip}`, rule: RULES.ip },
  ];
}

export function resetMailCharges(email: string): Charge[] {
  return [{ key: `reset:${emailKey(email)}`, rule: RULES.mail }];
}

export function verifyMailCharges(accountId: string): Charge[] {
  return [{ key: `verify:${accountId}`, rule: RULES.mail }];
}

export interface SmsLimits {
  perNumberPerDay: number;
  perIpPerHour: number;
  perIpPerDay: number;
}

const window = (threshold: number, ms: number): LimitRule => ({ threshold, firstLockMs: ms, maxLockMs: ms, forgetMs: ms });

/** The counters a text to `phone` (E.164) asked for from `ip` is charged to. */
export function smsCharges(phone: string, ip: string, limits: SmsLimits): Charge[] {
  const number = createHash('sha256').update(`phone:${phone}`).digest('base64url').slice(0, 32);
  return [
    { key: `sms:${number}`, rule: window(limits.perNumberPerDay, DAY) },
    { key: `sms-ip-hour:${ip}`, rule: window(limits.perIpPerHour, 60 * MINUTE) },
    { key: `sms-ip-day:${ip}`, rule: window(limits.perIpPerDay, DAY) },
  ];
}

const locked = (c: Counter | undefined, now: EpochMs) => c?.lockedUntil !== undefined && now < c.lockedUntil;

/** Writes `fn(current)` atomically, creating the counter when it is missing. */
async function chargeKey(store: Store, key: string, fn: (c: Counter | undefined) => Counter, expiresAt: EpochMs): Promise<void> {
  await upsert<Counter>(store, THROTTLE_COLLECTION, key, fn, { onCreate: { expiresAt }, onUpdate: { expiresAt } });
}

export interface Gate {
  /** The attempt may be evaluated. */
  allowed: boolean;
  /** This attempt started a lock (worth an audit entry). */
  lockedNow: boolean;
}

/** Charges one attempt to every key, unless one of them is locked (then nothing is charged). */
export async function chargeAttempt(store: Store, clock: Clock, charges: readonly Charge[]): Promise<Gate> {
  const now = clock.now();
  const current = await Promise.all(charges.map((c) => store.get<Counter>(THROTTLE_COLLECTION, c.key)));
  if (current.some((c) => locked(c, now))) return { allowed: false, lockedNow: false };
  let refused = false;
  let lockedNow = false;
  for (const charge of charges) {
    const { rule } = charge;
    await chargeKey(
      store,
      charge.key,
      (c) => {
        if (locked(c, now)) {
          refused = true; // locked by a parallel attempt since the check above
          return { ...c! };
        }
        // A lock that has passed keeps its growth (`locks`) but not its failures.
        const failures = (c?.lockedUntil === undefined ? (c?.failures ?? 0) : 0) + 1;
        const locks = c?.locks ?? 0;
        const base = { ...(charge.subject ? { subject: charge.subject } : {}), updatedAt: now };
        if (failures <= rule.threshold) return { ...base, failures, locks };
        lockedNow = true;
        return { ...base, failures: 0, locks: locks + 1, lockedUntil: now + Math.min(rule.firstLockMs * 2 ** locks, rule.maxLockMs) };
      },
      now + Math.max(rule.forgetMs, rule.maxLockMs),
    );
  }
  return { allowed: !refused && !lockedNow, lockedNow };
}

/** When the latest lock among these keys ends, if one is locked now. */
export async function pausedUntil(store: Store, clock: Clock, charges: readonly Charge[]): Promise<EpochMs | undefined> {
  const now = clock.now();
  const ends = (await Promise.all(charges.map((c) => store.get<Counter>(THROTTLE_COLLECTION, c.key))))
    .filter((c) => locked(c, now))
    .map((c) => c!.lockedUntil!);
  return ends.length ? Math.max(...ends) : undefined;
}

/** The attempt succeeded: the per-pair series starts over, the other keys get their charge back. */
export async function refundAttempt(store: Store, clock: Clock, charges: readonly Charge[]): Promise<void> {
  const now = clock.now();
  for (const charge of charges) {
    if (charge.clearOnSuccess) {
      await store.delete(THROTTLE_COLLECTION, charge.key);
      continue;
    }
    try {
      await store.update<Counter>(THROTTLE_COLLECTION, charge.key, (c) => ({ ...c, failures: Math.max(0, c.failures - 1), updatedAt: now }), {
        expiresAt: now + charge.rule.forgetMs,
      });
    } catch (err) {
      if (!(err instanceof GatewayError) || err.code !== 'ERR_NOT_FOUND') throw err;
    }
  }
}

/** Forgets every counter of a subject (all IPs of one email), e.g. after a password reset. */
export async function clearSubject(store: Store, subject: string): Promise<void> {
  const docs = await store.list<Counter>(THROTTLE_COLLECTION, { index: { name: 'subject', key: subject } });
  for (const { id } of docs) await store.delete(THROTTLE_COLLECTION, id);
}
