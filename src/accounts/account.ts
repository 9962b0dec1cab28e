// What an account is: one person at Denglu with the social identities linked to it and the shops
// they use. Identities are found by (provider, subject) keys only, never by email or nickname.

import type { EpochMs } from '../clock.ts';

export interface LinkedIdentity {
  provider: string;
  subject: string;
  /** Unique index keys (`weibo:uid:…`, `qq:openid:<appid>:…`, `qq:unionid:…`). */
  keys: string[];
  displayName: string;
  avatar?: string;
  linkedAt: EpochMs;
  lastUsedAt: EpochMs;
  /** When displayName/avatar were last fetched from the provider. */
  profileAt?: EpochMs;
  /** The provider's access token, sealed (src/accounts/upstream-token.ts), kept to revoke on unlink. */
  upstreamToken?: string;
}

export interface ShopUse {
  firstAt: EpochMs;
  lastAt: EpochMs;
  lastProvider: string;
}

export interface NativeCredential {
  /** Normalised (src/accounts/native-rules.ts); unique across accounts once verified. */
  email?: string;
  emailVerifiedAt?: EpochMs;
  /** An address a verification link was mailed to, not clicked yet. */
  pendingEmail?: string;
  /** scrypt hash (see src/accounts/password-hash.ts); absent until a password is set. */
  passwordHash?: string;
  passwordSetAt?: EpochMs;
  /** Last password sign-in (hourly granularity). */
  lastUsedAt?: EpochMs;
}

/** A phone number that signs in with a texted code (src/accounts/phone-credentials.ts). */
export interface PhoneCredential {
  /** E.164 (src/accounts/phone-number.ts); unique across accounts. */
  number: string;
  /** When its owner typed the code texted to it. */
  verifiedAt: EpochMs;
  /** Last sign-in with it (hourly granularity). */
  lastUsedAt?: EpochMs;
}

export interface Account {
  id: string;
  createdAt: EpochMs;
  identities: LinkedIdentity[];
  profile: { name: string; picture?: string; locale?: string };
  /** Shops signed in to, by partner id. */
  shops: Record<string, ShopUse>;
  /** When the provider-ending interstitial was last shown, by partner id (at most once a day). */
  noticeShownAt?: Record<string, EpochMs>;
  /** The native sign-in ("a JD.com account"): a verified email and a password, independent of providers. */
  native?: NativeCredential;
  /** A verified phone number: signs in with a code sent by text where a partner offers `phone`. */
  phone?: PhoneCredential;
  /** The shopper's choices about mail warning that a way of signing in is ending (src/notice-mail/). */
  noticeMail?: NoticeMailChoice;
}

export interface NoticeMailChoice {
  /** The shopper turned such mail off (account page or the mail's unsubscribe link), at this instant. */
  offAt?: EpochMs;
  /** The language the shopper last used on the account page: the mail's language. */
  locale?: 'zh-CN' | 'en';
}
