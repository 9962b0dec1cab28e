// The native sign-in of an account: a verified email address and a password, usable where a partner
// offers `password`. Setting an email mails a verification link; a verified email is unique across
// accounts (store index). The first password needs a verified email; a change replaces the hash and ends
// the other password sessions; a reset goes through a link mailed to the verified address and ends every
// session. A sign-in check does one scrypt's work whether or not the email is known or has a password;
// a throttled attempt is refused before any hashing (locks are per email and IP, known or not, so this
// tells nothing about the account). Every hash waits for a slot in the gateway's bounded hash queue
// (src/accounts/hash-queue.ts). Every change and every failed check is an audit entry on the account.

import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { Locale } from '../../providers/contract.ts';
import { appendAudit, auditOp } from '../audit/audit.ts';
import { translator } from '../i18n/messages.ts';
import { dispatch, type Mailer } from '../mail/mailer.ts';
import { revokeAccountAccess } from '../oidc/revoke-account.ts';
import type { Account, NativeCredential } from './account.ts';
import { chargeAttempt, clearSubject, emailKey, pausedUntil, refundAttempt, resetMailCharges, signInCharges, verifyMailCharges } from './brute-force.ts';
import { issueToken, peekToken, revokeTokens, takeToken, TOKEN_TTL_MS } from './native-tokens.ts';
import { normaliseEmail, passwordProblem, validEmail, type PasswordProblem } from './native-rules.ts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './password-hash.ts';
import { HashBusy, type HashQueue } from './hash-queue.ts';
import { PASSWORD_AMR, PASSWORD_METHOD } from './password-method.ts';
import { refreshShopWays } from '../events/shop-ways.ts';

export interface NativeDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  issuer: string;
  /** The bounded queue every password hash waits in. */
  hashes: HashQueue;
}

export type NativeProblem =
  | PasswordProblem
  | 'emailInvalid'
  | 'emailSame'
  | 'emailTaken'
  | 'emailRequired'
  | 'passwordExists'
  | 'passwordMissing'
  | 'tokenInvalid'
  | 'mailFailed'
  | 'mailLimited'
  | 'busy';

export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; problem: NativeProblem };

const STAMP_GRANULARITY_MS = 60 * 60 * 1000;

export async function findAccountByEmail(store: Store, email: string): Promise<Account | undefined> {
  return email ? (await store.findOne<Account>('accounts', 'email', email))?.value : undefined;
}

const shopper = (accountId: string) => ({ actor: { kind: 'shopper' as const, id: accountId } });

async function refuseOnConflict<T>(work: () => Promise<T>, problem: NativeProblem): Promise<T | { ok: false; problem: NativeProblem }> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof GatewayError && (err.code === 'ERR_CONFLICT' || err.code === 'ERR_NOT_FOUND' || err.code === 'ERR_VALIDATION'))
      return { ok: false, problem };
    throw err;
  }
}

/** Mails a verification link for `raw` to that address; the account keeps it as pending until clicked. */
export async function requestEmail(d: NativeDeps, accountId: string, raw: unknown, locale: Locale): Promise<Outcome<{ email: string }>> {
  const email = normaliseEmail(raw);
  if (!validEmail(email)) return { ok: false, problem: 'emailInvalid' };
  const account = await d.store.get<Account>('accounts', accountId);
  if (!account) return { ok: false, problem: 'tokenInvalid' };
  if (account.native?.email === email && account.native.emailVerifiedAt !== undefined) return { ok: false, problem: 'emailSame' };
  // Nobody mails a stranger's inbox full from their account page.
  if (!(await chargeAttempt(d.store, d.clock, verifyMailCharges(accountId))).allowed) return { ok: false, problem: 'mailLimited' };
  const token = await issueToken(d.store, d.clock, 'email-verify', accountId, email);
  const t = translator(locale);
  const link = `${d.issuer}/account/email/verify?token=${token}`;
  try {
    await d.mailer.send({
      to: email,
      subject: t('mail.verify.subject'),
      text: t('mail.verify.body', { email, link, minutes: TOKEN_TTL_MS['email-verify'] / 60_000 }),
    });
  } catch {
    await revokeTokens(d.store, accountId, 'email-verify');
    return { ok: false, problem: 'mailFailed' };
  }
  await d.store.update<Account>('accounts', accountId, (a) => ({ ...a, native: { ...a.native, pendingEmail: email } }));
  return { ok: true, email };
}

/** The link was clicked: the address becomes the account's verified email (unless another account has it). */
export async function confirmEmail(d: NativeDeps, raw: unknown, locale?: Locale): Promise<Outcome<{ accountId: string; email: string }>> {
  const token = await takeToken(d.store, 'email-verify', raw);
  if (!token) return { ok: false, problem: 'tokenInvalid' };
  const done = await verifiedEmail(d, token.accountId, token.email, locale);
  return done.ok ? { ok: true, accountId: token.accountId, email: token.email } : done;
}

/**
 * Makes `email`, proven by its owner (a link clicked, or a mailed code typed back), the account's verified
 * email, unless another account has it; reset links mailed to a previous address stop working. `locale`,
 * the language of the page it was proven on, becomes the language of mail about ending sign-in methods.
 */
export async function verifiedEmail(d: Pick<NativeDeps, 'store' | 'clock'>, accountId: string, email: string, locale?: Locale): Promise<Outcome> {
  const now = d.clock.now();
  let before: string | undefined;
  const done = await refuseOnConflict(async () => {
    await d.store.batch([
      {
        op: 'update',
        collection: 'accounts',
        id: accountId,
        fn: (a: Account) => {
          before = a.native?.emailVerifiedAt !== undefined ? a.native.email : undefined;
          const { pendingEmail, ...rest } = a.native ?? {};
          const native: NativeCredential = {
            ...rest,
            email,
            emailVerifiedAt: now,
            ...(pendingEmail && pendingEmail !== email ? { pendingEmail } : {}),
          };
          return { ...a, native, ...(locale ? { noticeMail: { ...a.noticeMail, locale } } : {}) };
        },
      },
      auditOp(d.clock, () => ({
        ...shopper(accountId),
        action: 'email.verify',
        target: { account: accountId },
        before: before ? { email: before } : null,
        after: { email },
      })),
    ]);
    return { ok: true as const };
  }, 'emailTaken');
  if (!done.ok) return done;
  if (before && before !== email) await revokeTokens(d.store, accountId, 'password-reset');
  return { ok: true };
}

/** Sets the first password (`set`, needs a verified email) or replaces it (`change`). */
export async function setPassword(d: NativeDeps, accountId: string, password: string, mode: 'set' | 'change', keepSession?: string): Promise<Outcome> {
  const account = await d.store.get<Account>('accounts', accountId);
  if (!account) return { ok: false, problem: 'passwordMissing' };
  const state = stateProblem(account.native, mode);
  if (state) return { ok: false, problem: state };
  const problem = passwordProblem(password, account.native?.email);
  if (problem) return { ok: false, problem };
  const hash = await queuedHash(d.hashes, password);
  if (!hash) return { ok: false, problem: 'busy' };
  const now = d.clock.now();
  let refused: NativeProblem | undefined;
  await d.store
    .batch([
      {
        op: 'update',
        collection: 'accounts',
        id: accountId,
        fn: (a: Account) => {
          refused = stateProblem(a.native, mode);
          if (refused) throw new GatewayError('ERR_CONFLICT', 'the password changed meanwhile', { status: 409 });
          return { ...a, native: { ...a.native, passwordHash: hash, passwordSetAt: now } };
        },
      },
      auditOp(d.clock, () => ({
        ...shopper(accountId),
        action: mode === 'set' ? 'password.set' : 'password.change',
        target: { account: accountId, provider: PASSWORD_METHOD },
        before: null,
        after: null,
      })),
    ])
    .catch((err) => {
      if (!refused) throw err;
    });
  if (refused) return { ok: false, problem: refused };
  await refreshShopWays(d.store, accountId);
  if (mode === 'change') await revokeAccountAccess(d.store, accountId, { amr: PASSWORD_AMR, ...(keepSession ? { keepSession } : {}) });
  return { ok: true };
}

function stateProblem(native: NativeCredential | undefined, mode: 'set' | 'change'): NativeProblem | undefined {
  if (mode === 'set' && native?.passwordHash) return 'passwordExists';
  if (mode === 'set' && (native?.emailVerifiedAt === undefined || !native.email)) return 'emailRequired';
  if (mode === 'change' && !native?.passwordHash) return 'passwordMissing';
  return undefined;
}

/**
 * Checks a password for an email, throttled (src/accounts/brute-force.ts). Unknown emails and accounts
 * without a password do the same work (a dummy hash) and give the same answer as a wrong password; one
 * that finds the hash queue full gets that answer without any hashing; a locked attempt is refused without
 * hashing and says until when (`pausedUntil`), the same for known and unknown emails.
 */
export async function checkPassword(
  d: Pick<NativeDeps, 'store' | 'clock' | 'hashes'>,
  rawEmail: unknown,
  password: string,
  ip: string,
  via: 'sign-in' | 'change',
): Promise<{ ok: true; account: Account } | { ok: false; pausedUntil?: EpochMs }> {
  const email = normaliseEmail(rawEmail);
  const charges = signInCharges(email, ip);
  const gate = await chargeAttempt(d.store, d.clock, charges);
  const account = await findAccountByEmail(d.store, email);
  const hash = account?.native?.passwordHash;
  const match = gate.allowed ? await queued(d.hashes, async () => verifyPassword(hash ?? (await dummyHash()), password)) : false;
  if (account && hash && match === true) {
    await refundAttempt(d.store, d.clock, charges);
    if (needsRehash(hash)) await rehash(d, account.id, hash, password);
    return { ok: true, account };
  }
  if (account && match !== undefined && (gate.allowed || gate.lockedNow)) {
    await appendAudit(d.store, d.clock, {
      ...shopper(account.id),
      action: gate.lockedNow ? 'signin.locked' : 'signin.failed',
      target: { account: account.id, provider: PASSWORD_METHOD },
      before: null,
      after: { via },
    });
  }
  // Locked (by this attempt or before): when sign-in with this email from here opens again, known email or not.
  const until = gate.allowed ? undefined : await pausedUntil(d.store, d.clock, charges);
  return until === undefined ? { ok: false } : { ok: false, pausedUntil: until };
}

/** `work` in a slot of the hash queue; undefined when the queue refused it (full, or waited too long). */
async function queued<T>(hashes: HashQueue, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await hashes.run(work);
  } catch (err) {
    if (err instanceof HashBusy) return undefined;
    throw err;
  }
}

const queuedHash = (hashes: HashQueue, password: string) => queued(hashes, () => hashPassword(password));

async function rehash(d: Pick<NativeDeps, 'store' | 'hashes'>, accountId: string, old: string, password: string): Promise<void> {
  const hash = await queuedHash(d.hashes, password);
  if (!hash) return; // the next sign-in upgrades it
  await d.store.update<Account>('accounts', accountId, (a) => (a.native?.passwordHash === old ? { ...a, native: { ...a.native, passwordHash: hash } } : a));
}

/** Records that the account signed in to a shop with its password (coarse: at most hourly writes). */
export async function recordPasswordUse(store: Store, clock: Clock, account: Account, partnerId: string): Promise<void> {
  const now = clock.now();
  const stale = (t: EpochMs | undefined) => t === undefined || now - t >= STAMP_GRANULARITY_MS;
  const shop = account.shops[partnerId];
  if (!stale(account.native?.lastUsedAt) && !stale(shop?.lastAt) && shop?.lastProvider === PASSWORD_METHOD) return;
  await store.update<Account>('accounts', account.id, (a) => ({
    ...a,
    native: { ...a.native, lastUsedAt: now },
    shops: { ...a.shops, [partnerId]: { firstAt: a.shops[partnerId]?.firstAt ?? now, lastAt: now, lastProvider: PASSWORD_METHOD } },
  }));
}

/**
 * "Forgot password": mails a reset link when the address is the verified email of an account with a
 * password. The caller answers the same whatever happened here (no way to learn whether an address is known).
 * `returnTo`, a sign-in in progress (checked by the caller), is where the shopper goes once the password is set.
 */
export async function requestPasswordReset(d: NativeDeps, raw: unknown, locale: Locale, returnTo?: string): Promise<void> {
  const email = normaliseEmail(raw);
  if (!validEmail(email)) return;
  const account = await findAccountByEmail(d.store, email);
  if (!account?.native?.passwordHash) return;
  const gate = await chargeAttempt(d.store, d.clock, resetMailCharges(email));
  if (!gate.allowed) return;
  const token = await issueToken(d.store, d.clock, 'password-reset', account.id, email, returnTo);
  const t = translator(locale);
  await dispatch(d.mailer, {
    to: email,
    subject: t('mail.reset.subject'),
    text: t('mail.reset.body', { link: `${d.issuer}/account/password/reset/confirm?token=${token}`, minutes: TOKEN_TTL_MS['password-reset'] / 60_000 }),
  });
}

/** Whether a reset link is still good (to show its form): names the address it was sent to. */
export async function resetTokenEmail(store: Store, raw: unknown): Promise<string | undefined> {
  const token = await peekToken(store, 'password-reset', raw);
  if (!token) return undefined;
  const account = await store.get<Account>('accounts', token.accountId);
  return account?.native?.passwordHash && account.native.email === token.email && account.native.emailVerifiedAt !== undefined ? token.email : undefined;
}

/** Sets a new password through a reset link (single use), then ends every session and pending link of the account. */
export async function confirmPasswordReset(
  d: NativeDeps,
  raw: unknown,
  password: string,
): Promise<Outcome<{ accountId: string; email: string; returnTo?: string }>> {
  const email = await resetTokenEmail(d.store, raw);
  if (!email) return { ok: false, problem: 'tokenInvalid' };
  const problem = passwordProblem(password, email);
  if (problem) return { ok: false, problem };
  // Hashed before the link is used up: a busy gateway leaves the link good for another try.
  const hash = await queuedHash(d.hashes, password);
  if (!hash) return { ok: false, problem: 'busy' };
  const token = await takeToken(d.store, 'password-reset', raw);
  if (!token) return { ok: false, problem: 'tokenInvalid' };
  const now = d.clock.now();
  const done = await refuseOnConflict(async () => {
    await d.store.batch([
      {
        op: 'update',
        collection: 'accounts',
        id: token.accountId,
        fn: (a: Account) => {
          if (a.native?.email !== token.email || a.native.emailVerifiedAt === undefined)
            throw new GatewayError('ERR_CONFLICT', 'the email changed meanwhile', { status: 409 });
          return { ...a, native: { ...a.native, passwordHash: hash, passwordSetAt: now } };
        },
      },
      auditOp(d.clock, () => ({
        ...shopper(token.accountId),
        action: 'password.reset',
        target: { account: token.accountId, provider: PASSWORD_METHOD },
        before: null,
        after: { via: 'email' },
      })),
    ]);
    return { ok: true as const };
  }, 'tokenInvalid');
  if (!done.ok) return done;
  await refreshShopWays(d.store, token.accountId);
  await revokeTokens(d.store, token.accountId);
  await revokeAccountAccess(d.store, token.accountId);
  await clearSubject(d.store, emailKey(token.email));
  return { ok: true, accountId: token.accountId, email: token.email, ...(token.returnTo ? { returnTo: token.returnTo } : {}) };
}
