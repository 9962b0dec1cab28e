// Attaching an upstream identity to an existing account. An identity belongs to at most one account:
// if it is someone else's, the link is refused and nothing changes — never a silent merge. Two accounts
// linking the same identity at the same moment: the store's unique index lets exactly one win. An account
// holds at most one identity per provider, checked inside the atomic update (two tabs linking two Weibo
// identities to one account: the first to write wins, the other is refused).

import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditedUpdate } from '../audit/audit.ts';
import type { UpstreamIdentity } from '../../providers/contract.ts';
import type { Account, LinkedIdentity } from './account.ts';
import { findAccountByIdentity, linked } from './sign-in.ts';
import { withNormalisedUrls } from '../../providers/shared/profile-fields.ts';
import { accountEventOp } from '../webhooks/events.ts';
import { refreshShopWays } from '../events/shop-ways.ts';

export class LinkConflictError extends GatewayError {
  readonly provider: string;
  constructor(provider: string) {
    super('ERR_LINK_CONFLICT', `this ${provider} identity is linked to another account`, { status: 409, expose: true });
    this.provider = provider;
  }
}

class ProviderAlreadyLinkedError extends GatewayError {
  readonly provider: string;
  constructor(provider: string) {
    super('ERR_PROVIDER_ALREADY_LINKED', `the account already has a ${provider} identity`, { status: 409, expose: true });
    this.provider = provider;
  }
}

/** Thrown inside the update when the same identity was linked meanwhile: nothing to write. */
class AlreadyHere extends Error {}

/** Links `identity` to `accountId`; returns the account and whether anything changed. */
export async function linkIdentity(
  store: Store,
  clock: Clock,
  accountId: string,
  identity: UpstreamIdentity,
  sealedToken?: string,
): Promise<{ account: Account; linked: boolean }> {
  identity = withNormalisedUrls(identity);
  const owner = await findAccountByIdentity(store, identity.keys);
  if (owner && owner.id !== accountId) throw new LinkConflictError(identity.provider);
  const now = clock.now();
  if (owner) return { account: owner, linked: false };
  const entry: LinkedIdentity = linked(identity, now, sealedToken);
  let updated: Account;
  let shops: string[] = [];
  try {
    updated = await auditedUpdate<Account, Account>(
      store,
      clock,
      'accounts',
      accountId,
      (a) => {
        const same = a.identities.find((i) => i.provider === identity.provider);
        if (same && same.keys.some((k) => identity.keys.includes(k))) throw new AlreadyHere();
        if (same) throw new ProviderAlreadyLinkedError(identity.provider);
        const next = { ...a, identities: [...a.identities, entry] };
        shops = Object.keys(next.shops);
        return { next, seen: next };
      },
      () => ({
        actor: { kind: 'shopper', id: accountId },
        action: 'identity.link',
        target: { account: accountId, provider: identity.provider },
        before: null,
        after: { provider: entry.provider, subject: entry.subject, displayName: entry.displayName },
      }),
      // The shops' webhooks, in the same write (no added round trip).
      [accountEventOp(clock, 'identity.linked', accountId, () => shops, { provider: identity.provider })],
    );
  } catch (err) {
    if (err instanceof AlreadyHere) return { account: (await store.get<Account>('accounts', accountId))!, linked: false };
    if (err instanceof GatewayError && err.code === 'ERR_CONFLICT') throw new LinkConflictError(identity.provider);
    throw err;
  }
  await refreshShopWays(store, accountId);
  return { account: updated, linked: true };
}
