// What the account page shows of the native sign-in: the verified email (or the one waiting for its
// link), whether a password is set, and which password form applies — set (needs a verified email),
// change (the current password, unless the shopper just signed in with a linked social account); and
// the phone number (where the deployment sends texts), how it stands at the shops the shopper uses, and
// whether it may be removed (never the account's only way to sign in).

import type { Locale } from '../../providers/contract.ts';
import type { LoginContext } from '../broker/login-context.ts';
import { formatInstant } from '../time/instant.ts';
import type { SignedIn } from './current-account.ts';
import { translator } from '../i18n/messages.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import { displayPhone } from '../accounts/phone-number.ts';
import { signInMethods } from '../accounts/unlink.ts';
import type { Partner } from '../partners/partner.ts';
import { identityStatus } from './identity-status.ts';

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
  /** The deployment sends texts: phone numbers can be added. */
  phoneOffered: boolean;
  /** The account's number, and how it signs in at each shop the shopper uses. */
  phone?: { display: string; verifiedAt: string; statuses: { kind: string; text: string }[] };
  /** The number is not the account's only way to sign in. */
  phoneRemovable: boolean;
}

/** Signed in recently (ACCOUNT_REAUTH_SECONDS), and with a social provider rather than the password. */
export function freshSocial(ctx: LoginContext, s: SignedIn): boolean {
  return s.loginAt !== undefined && ctx.clock.now() - s.loginAt <= ctx.reauthAfterMs && s.amr.includes('fed');
}

export function nativeSection(
  ctx: LoginContext,
  s: SignedIn,
  locale: Locale,
  extra: { error?: string; emailValue?: string } = {},
  shops: readonly Partner[] = [],
): NativeView {
  const n = s.account.native ?? {};
  const phone = s.account.phone;
  const now = ctx.clock.now();
  const date = (ms: number) => formatInstant(ms, 'Asia/Shanghai', locale, 'date');
  const verified = n.email !== undefined && n.emailVerifiedAt !== undefined;
  return {
    ...(verified ? { email: n.email, verifiedAt: date(n.emailVerifiedAt!) } : {}),
    ...(n.pendingEmail && n.pendingEmail !== (verified ? n.email : undefined) ? { pendingEmail: n.pendingEmail } : {}),
    hasPassword: Boolean(n.passwordHash),
    ...(n.passwordSetAt !== undefined ? { passwordSetAt: date(n.passwordSetAt) } : {}),
    canSetPassword: verified,
    needsCurrent: !freshSocial(ctx, s),
    phoneOffered: ctx.broker.configured().has(PHONE_METHOD),
    ...(phone
      ? {
          phone: {
            display: displayPhone(phone.number),
            verifiedAt: date(phone.verifiedAt),
            statuses: shops.map((p) => identityStatus(p, PHONE_METHOD, now, locale, translator(locale))),
          },
        }
      : {}),
    phoneRemovable: signInMethods(s.account).length > 1,
    ...extra,
  };
}
