// Which other ways into a shop an account will still have at a cutoff instant: every other integration of
// the partner that is configured and, by its OWN schedule, still signs in at that instant (live or notice
// there — one that has ended, is in grace, or has not started by then does not count), and that the account
// holds a credential for (src/events/shop-ways.ts: a linked identity of that provider, a native password,
// a verified phone). Each with when the account got it (for migration progress). A way ending later than the cutoff still counts.

import type { EpochMs } from '../clock.ts';
import type { HeldWays } from '../events/shop-ways.ts';
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

/** The ways among `methods` the account holds (src/events/shop-ways.ts), each with when it got it. */
export function waysHeld(held: HeldWays, methods: readonly string[]): { method: string; since: EpochMs }[] {
  const out: { method: string; since: EpochMs }[] = [];
  for (const method of methods) {
    const since = held[method];
    if (since !== undefined) out.push({ method, since });
  }
  return out;
}
