// Removing a way to sign in. The last way is never removed. Before removing one, Denglu works out which
// shops the shopper uses would become unreachable with what remains — counting each remaining method's
// current and scheduled phases at each shop — so the shopper can be asked to confirm.

import type { Clock, EpochMs } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { auditedUpdate } from '../audit/audit.ts';
import { loginAvailability } from '../partners/availability.ts';
import type { Partner } from '../partners/partner.ts';
import type { Account, LinkedIdentity } from './account.ts';
import { PASSWORD_METHOD } from './password-method.ts';
import { PHONE_METHOD } from './phone-method.ts';
import { accountEventOp } from '../webhooks/events.ts';
import { refreshShopWays } from '../events/shop-ways.ts';

export interface ShopAtRisk {
  partner: string;
  /** `none`: nothing left signs in there now; `ending`: what is left is scheduled to stop there. */
  risk: 'none' | 'ending';
  /** For `ending`: when the last remaining method stops. */
  endsAt?: EpochMs;
}

/** The ways to sign in an account has: linked identities, plus its native password and phone number when set. */
export function signInMethods(account: Account): string[] {
  return [...account.identities.map((i) => i.provider), ...(account.native?.passwordHash ? [PASSWORD_METHOD] : []), ...(account.phone ? [PHONE_METHOD] : [])];
}

export function findIdentity(account: Account, provider: string, subject: string): LinkedIdentity | undefined {
  return account.identities.find((i) => i.provider === provider && i.subject === subject);
}

/**
 * Shops the account has used that the remaining methods would not (or not for long) reach once `removing`
 * is gone: a linked identity, or a method id (a provider, of which an account links at most one identity,
 * or a native method such as `password` or `phone`).
 */
export function shopsAtRisk(
  account: Account,
  removing: LinkedIdentity | string,
  partners: readonly Partner[],
  configured: ReadonlySet<string>,
  now: EpochMs,
): ShopAtRisk[] {
  const method = typeof removing === 'string' ? removing : removing.provider;
  const remaining = signInMethods(account).filter((m) => m !== method);
  const out: ShopAtRisk[] = [];
  for (const partner of partners) {
    if (!account.shops[partner.id] || partner.internal) continue;
    const working = remaining.map((provider) => ({ provider, a: loginAvailability(partner, provider, configured, now) })).filter((m) => m.a.ok);
    if (working.length === 0) {
      out.push({ partner: partner.id, risk: 'none' });
      continue;
    }
    const ends = working.map((m) => (m.a.ok ? m.a.integration.cutoffAt : undefined));
    if (ends.every((e) => e !== undefined)) out.push({ partner: partner.id, risk: 'ending', endsAt: Math.max(...(ends as number[])) });
  }
  return out;
}

/** Removes the identity; refuses the last way to sign in. The audit entry is written with the change. */
export async function unlinkIdentity(
  store: Store,
  clock: Clock,
  accountId: string,
  provider: string,
  subject: string,
): Promise<{ account: Account; removed: LinkedIdentity }> {
  let shops: string[] = [];
  const unlinked = await auditedUpdate<Account, { account: Account; removed: LinkedIdentity }>(
    store,
    clock,
    'accounts',
    accountId,
    (a) => {
      const removed = findIdentity(a, provider, subject);
      if (!removed) throw new GatewayError('ERR_NOT_FOUND', 'this way to sign in is not linked to your account', { status: 404, expose: true });
      if (signInMethods(a).length <= 1) {
        throw new GatewayError('ERR_LAST_METHOD', 'this is your only way to sign in; add another before removing it', { status: 409, expose: true });
      }
      const next = { ...a, identities: a.identities.filter((i) => i !== removed) };
      shops = Object.keys(next.shops);
      return { next, seen: { account: next, removed } };
    },
    ({ removed }) => ({
      actor: { kind: 'shopper', id: accountId },
      action: 'identity.unlink',
      target: { account: accountId, provider },
      before: { provider: removed.provider, subject: removed.subject, displayName: removed.displayName },
      after: null,
    }),
    // The shops' webhooks, in the same write (no added round trip).
    [accountEventOp(clock, 'identity.unlinked', accountId, () => shops, { provider })],
  );
  await refreshShopWays(store, accountId);
  return unlinked;
}
