// What the account page shows of the native sign-in: the verified email (or the one waiting for its
// link), whether a password is set, and which password form applies — set (needs a verified email),
// change (the current password, unless the shopper just signed in with a linked social account).

import type { Locale } from '../../providers/contract.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { formatInstant } from '../time/instant.ts';
import type { SignedIn } from './current-account.ts';

export interface NativeView {
  email?: string;
  verifiedAt?: string;
  pendingEmail?: string;
  hasPassword: boolean;
  passwordSetAt?: string;
  /** A verified email exists, so a first password may be set. */
  canSetPassword: boolean;
  /** Changing the password needs the current one (no recent social sign-in). */
  needsCurrent: boolean;
  error?: string;
  /** What the shopper typed into the email field, when re-rendered. */
  emailValue?: string;
}

/** Signed in recently (ACCOUNT_REAUTH_SECONDS), and with a social provider rather than the password. */
export function freshSocial(ctx: LoginContext, s: SignedIn): boolean {
  return s.loginAt !== undefined && ctx.clock.now() - s.loginAt <= ctx.reauthAfterMs && s.amr.includes('fed');
}

export function nativeSection(ctx: LoginContext, s: SignedIn, locale: Locale, extra: { error?: string; emailValue?: string } = {}): NativeView {
  const n = s.account.native ?? {};
  const date = (ms: number) => formatInstant(ms, 'Asia/Shanghai', locale, 'date');
  const verified = n.email !== undefined && n.emailVerifiedAt !== undefined;
  return {
    ...(verified ? { email: n.email, verifiedAt: date(n.emailVerifiedAt!) } : {}),
    ...(n.pendingEmail && n.pendingEmail !== (verified ? n.email : undefined) ? { pendingEmail: n.pendingEmail } : {}),
    hasPassword: Boolean(n.passwordHash),
    ...(n.passwordSetAt !== undefined ? { passwordSetAt: date(n.passwordSetAt) } : {}),
    canSetPassword: verified,
    needsCurrent: !freshSocial(ctx, s),
    ...extra,
  };
}
