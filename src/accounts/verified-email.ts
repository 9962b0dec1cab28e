// The email address a shop may learn through the `email` scope: the account's native email, and only
// once its owner clicked the verification link. A pending (unclicked) address, or an address a provider
// reported, never becomes a claim — shops rely on `email_verified: true` to match or contact people.

import type { Account } from './account.ts';

/** `{ email, email_verified: true }` for a verified native email, otherwise nothing. */
export function verifiedEmailClaims(account: Account): { email?: string; email_verified?: true } {
  const native = account.native;
  return native?.email && native.emailVerifiedAt !== undefined ? { email: native.email, email_verified: true } : {};
}
