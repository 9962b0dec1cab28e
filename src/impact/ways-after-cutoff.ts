// Which other ways into a shop an account will still have at a cutoff instant: every other integration of
// the partner that is configured and, by its OWN schedule, still signs in at that instant (live or notice
// there — one that has ended, is in grace, or has not started by then does not count), and that the account
// holds a credential for: a linked identity of that provider, a native password, a verified phone. Each
// with when the account got it (for migration progress). A way ending later than the cutoff still counts.

import type { EpochMs } from '../clock.ts';
import type { Account } from '../accounts/account.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_METHOD } from '../accounts/phone-method.ts';
import type { Partner } from '../partners/partner.ts';
import { phaseAt, signsIn } from '../partners/phase.ts';

/** The other methods of the partner that still sign in at `at`, by their own schedules. */
export function methodsSigningInAt(partner: Partner, excluding: string, configured: ReadonlySet<string>, at: EpochMs): string[] {
  const out: string[] = [];
  for (const integration of partner.integrations) {
    if (integration.provider === excluding || !configured.has(integration.provider)) continue;
    try {
      if (signsIn(phaseAt(integration, at).phase)) out.push(integration.provider);
    } catch {
      // an unreadable schedule counts as unavailable (fail closed)
    }
  }
  return out;
}

/** When the account got a credential for `method`; undefined when it has none. */
export function heldSince(account: Account, method: string): EpochMs | undefined {
  if (method === PASSWORD_METHOD) return account.native?.passwordHash ? (account.native.passwordSetAt ?? account.createdAt) : undefined;
  if (method === PHONE_METHOD) return account.phone?.number ? account.phone.verifiedAt : undefined;
  const linked = account.identities.filter((i) => i.provider === method).map((i) => i.linkedAt);
  return linked.length ? Math.min(...linked) : undefined;
}

/** The account's ways among `methods`, each with when it got it. */
export function waysHeld(account: Account, methods: readonly string[]): { method: string; since: EpochMs }[] {
  const out: { method: string; since: EpochMs }[] = [];
  for (const method of methods) {
    const since = heldSince(account, method);
    if (since !== undefined) out.push({ method, since });
  }
  return out;
}
