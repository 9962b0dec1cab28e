// The pairwise `sub` a shop sees: HMAC-SHA256(salt, partner | account). One value per partner for an
// account, whichever linked identity signed in; different partners cannot correlate their customers.
// The sector is the partner (all of a partner's clients share it), not a redirect host.

import { createHmac } from 'node:crypto';

export function pairwiseSubject(salt: string, partnerId: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${partnerId}|${accountId}`).digest('base64url');
}
