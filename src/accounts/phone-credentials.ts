// The phone number of an account as a way to sign in: texting a six-digit code (limited per number and
// per IP, an hour and a day, besides the code book's own 60-second resend timer), setting the number once
// its code is typed back (unique across accounts: the store's `phone` index), removing it (never the
// account's last way to sign in), and finding the account that holds a number. Every change is an
// audit entry written with it. Codes and numbers are never logged.

import type { Locale } from '../../providers/contract.ts';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { auditedUpdate } from '../audit/audit.ts';
import { accountEventOp } from '../webhooks/events.ts';
import { revokeAccountAccess } from '../oidc/revoke-account.ts';
import { SmsError, type SmsSender } from '../sms/sender.ts';
import type { Account } from './account.ts';
import { chargeAttempt, smsCharges, type SmsLimits } from './brute-force.ts';
import { PHONE_AMR, PHONE_METHOD } from './phone-method.ts';
import { normalisePhone } from './phone-number.ts';
import { signInMethods } from './unlink.ts';
import type { CodeBook } from './verification-codes.ts';
import { refreshShopWays } from '../events/shop-ways.ts';

export interface PhoneDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  sms: SmsSender;
  codes: CodeBook;
  limits: SmsLimits;
}

export type PhoneProblem = 'phoneInvalid' | 'phoneLimited' | 'phoneWait' | 'smsFailed' | 'phoneTaken' | 'phoneSame' | 'phoneLast' | 'phoneMissing';

export type PhoneOutcome<T = object> = ({ ok: true } & T) | { ok: false; problem: PhoneProblem; retryAfterSeconds?: number };

export async function findAccountByPhone(store: Store, phone: string): Promise<Account | undefined> {
  return (await store.findOne<Account>('accounts', 'phone', phone))?.value;
}

/**
 * Texts a new code for `subject` to the number typed: the same whether or not an account holds it (the
 * callers answer "code sent" alike). Refused before anything is sent: a malformed number, the resend timer,
 * the per-number and per-IP limits. A text the service refuses cancels the code.
 */
export async function sendPhoneCode(d: PhoneDeps, subject: string, raw: unknown, ip: string, locale: Locale): Promise<PhoneOutcome<{ phone: string }>> {
  const phone = normalisePhone(raw);
  if (!phone) return { ok: false, problem: 'phoneInvalid' };
  // The resend timers first: a text refused for them is not charged to the limits.
  const wait = await d.codes.waitSeconds(subject, phone);
  if (wait > 0) return { ok: false, problem: 'phoneWait', retryAfterSeconds: wait };
  const gate = await chargeAttempt(d.store, d.clock, smsCharges(phone, ip, d.limits));
  if (!gate.allowed) return { ok: false, problem: 'phoneLimited' };
  const issued = await d.codes.issue(subject, phone);
  if (!issued.ok) return { ok: false, problem: 'phoneWait', retryAfterSeconds: issued.retryAfterSeconds };
  try {
    await d.sms.send(phone, 'verify-code', { code: issued.code }, locale);
  } catch (err) {
    await d.codes.discard(subject, phone);
    const kind = err instanceof SmsError ? err.kind : 'unavailable';
    d.log.warn(
      { sms: d.sms.transport, code: err instanceof SmsError ? err.serviceCode : undefined, err: { message: (err as Error).message } },
      'text not sent',
    );
    return { ok: false, problem: kind === 'numberInvalid' ? 'phoneInvalid' : kind === 'limited' ? 'phoneLimited' : 'smsFailed' };
  }
  return { ok: true, phone };
}

class Refusal extends Error {
  readonly problem: PhoneProblem;
  constructor(problem: PhoneProblem) {
    super(problem);
    this.problem = problem;
  }
}

/**
 * One change of the account's number, written with its audit entry: `change` returns the account after
 * it and the number before (or throws a Refusal); another account holding the number refuses it (phoneTaken).
 */
async function changePhone(
  store: Store,
  clock: Clock,
  accountId: string,
  change: (a: Account) => { next: Account; before: string | undefined },
  action: (before: string | undefined) => { action: string; after: unknown },
  event: 'identity.linked' | 'identity.unlinked',
): Promise<PhoneOutcome<{ before: string | undefined }>> {
  let before: string | undefined;
  // The shops told (webhooks): those the account uses, when the phone method came or went (not on a replacement).
  let shops: string[] = [];
  try {
    before = await auditedUpdate<Account, string | undefined>(
      store,
      clock,
      'accounts',
      accountId,
      (a) => {
        const r = change(a);
        shops = event === 'identity.linked' && r.before !== undefined ? [] : Object.keys(r.next.shops);
        return { next: r.next, seen: r.before };
      },
      (was) => ({
        actor: { kind: 'shopper', id: accountId },
        ...action(was),
        target: { account: accountId, provider: PHONE_METHOD },
        before: was ? { phone: was } : null,
      }),
      [accountEventOp(clock, event, accountId, () => shops, { provider: PHONE_METHOD })],
    );
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, problem: err.problem };
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT') return { ok: false, problem: 'phoneTaken' };
    if (err instanceof GatewayError && err.code === 'ERR_NOT_FOUND') return { ok: false, problem: 'phoneMissing' };
    throw err;
  }
  return { ok: true, before };
}

/**
 * Makes `phone` (proven by its code) the account's number, replacing an earlier one; refused when another
 * account holds it. Sign-ins made with the old number end, except `keepSession` (the browser replacing it).
 */
export async function setPhone(store: Store, clock: Clock, accountId: string, phone: string, keepSession?: string): Promise<PhoneOutcome> {
  const now = clock.now();
  const r = await changePhone(
    store,
    clock,
    accountId,
    (a) => {
      if (a.phone?.number === phone) throw new Refusal('phoneSame');
      return { next: { ...a, phone: { number: phone, verifiedAt: now } }, before: a.phone?.number };
    },
    (before) => ({ action: before ? 'phone.replace' : 'phone.set', after: { phone } }),
    'identity.linked',
  );
  if (r.ok) await refreshShopWays(store, accountId);
  // Sign-ins obtained with the old number end with it.
  if (r.ok && r.before) await revokeAccountAccess(store, accountId, { amr: PHONE_AMR, ...(keepSession ? { keepSession } : {}) });
  return r.ok ? { ok: true } : r;
}

/** Removes the account's number, unless it is the account's only way to sign in; sign-ins obtained with it end. */
export async function removePhone(store: Store, clock: Clock, accountId: string, keepSession?: string): Promise<PhoneOutcome> {
  const r = await changePhone(
    store,
    clock,
    accountId,
    (a) => {
      if (!a.phone) throw new Refusal('phoneMissing');
      if (signInMethods(a).length <= 1) throw new Refusal('phoneLast');
      const { phone, ...rest } = a;
      return { next: rest, before: phone.number };
    },
    () => ({ action: 'phone.remove', after: null }),
    'identity.unlinked',
  );
  if (!r.ok) return r;
  await refreshShopWays(store, accountId);
  await revokeAccountAccess(store, accountId, { amr: PHONE_AMR, ...(keepSession ? { keepSession } : {}) });
  return { ok: true };
}

const STAMP_GRANULARITY_MS = 60 * 60 * 1000;

/**
 * Records that the account signed in with its number (coarse: at most hourly writes). Which shop it was
 * is recorded with every authorization the shop receives (src/accounts/shop-use.ts).
 */
export async function recordPhoneUse(store: Store, clock: Clock, account: Account): Promise<void> {
  const now = clock.now();
  const last = account.phone?.lastUsedAt;
  if (last !== undefined && now - last < STAMP_GRANULARITY_MS) return;
  await store.update<Account>('accounts', account.id, (a) => (a.phone ? { ...a, phone: { ...a.phone, lastUsedAt: now } } : a));
}
