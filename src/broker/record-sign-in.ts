// The one call where a sign-in attempt at a shop ends: from one description (SignInEnd) it counts the
// attempt in the metrics (src/metrics, `denglu_sign_ins_total`) and records its login event (src/events,
// the buffered recorder), so the two can never disagree about what happened. Once per request: the first
// end a request reaches is its outcome (a failure page after a counted success, such as an interaction
// that expired in between, does not count again). A link from the account page is no sign-in at a shop:
// neither. Where they differ, by design:
//   - a sign-in held on the notice interstitial counts as a success when held, and its login event is
//     recorded when the shopper goes on to the shop (`via: 'notice'`, not counted again), `created` when
//     the held sign-in made the account (kept on the held record, src/broker/pending-login.ts);
//   - held on the migration page it counts as refused by the lifecycle; its event comes with the
//     replacement that lets it through (`via: 'migration'`);
//   - `error` (an expired flow, a lost interaction, a link conflict) is counted, not an event: nothing a
//     shop could learn from; nor is a failed replacement link.
// Metric labels stay bounded: the partner only when the steps found it, the method only when Denglu knows
// it, `unknown` otherwise.

import { UpstreamError } from '../errors.ts';
import { failedOutcome } from '../events/attempt-outcome.ts';
import type { LoginEvent } from '../events/login-event.ts';
import { UNKNOWN } from '../metrics/gateway-metrics.ts';
import type { SignInOutcome } from '../metrics/sign-in-outcome.ts';
import type { NextStep } from './continue-sign-in.ts';
import type { LoginContext } from './login-context.ts';
import type { SignInState } from './steps.ts';

/** How an attempt ended; `method` when it is not the route's (`s.provider`). */
export type SignInEnd = { method?: string } & (
  | { outcome: 'success'; account: string; created?: boolean; via?: 'notice' | 'migration'; replaced?: string }
  | { outcome: 'held'; hold: 'notice' | 'migrate' }
  | { outcome: 'denied' | 'upstream_failure' | 'refused'; step?: string }
  | { outcome: 'error' }
);

/** The metrics' word for an end; undefined: counted when the sign-in was held, not again. */
function counted(end: SignInEnd): SignInOutcome | undefined {
  switch (end.outcome) {
    case 'success':
      return end.via === 'notice' ? undefined : 'success';
    case 'held':
      return end.hold === 'notice' ? 'success' : 'lifecycle_refused';
    case 'refused':
      return 'lifecycle_refused';
    default:
      return end.outcome;
  }
}

export function recordSignIn(ctx: LoginContext, s: SignInState, end: SignInEnd): void {
  if (s.outcome) return;
  const metric = counted(end);
  s.outcome = metric ?? 'success';
  if (s.fromAccountPage) return;
  const method = end.method ?? s.provider;
  if (metric) ctx.metrics.signIn(s.partner?.id ?? UNKNOWN, method !== undefined && ctx.descriptors.has(method) ? method : UNKNOWN, metric);
  if (!s.partner || method === undefined || end.outcome === 'held' || end.outcome === 'error') return;
  if (end.outcome !== 'success' && s.flow?.purpose === 'link') return;
  const { method: _m, ...rest } = end;
  ctx.events?.record({ at: ctx.clock.now(), partner: s.partner.id, method, ...rest } as LoginEvent);
}

/** A sign-in that ended with `err`; an upstream failure is also counted with its step. */
export function recordFailure(ctx: LoginContext, s: SignInState, err: unknown, method = s.provider): void {
  if (s.outcome) return;
  if (err instanceof UpstreamError && ctx.broker.upstream(err.providerId)) ctx.metrics.upstreamFailures.labels(err.providerId, err.step).inc();
  recordSignIn(ctx, s, { ...(failedOutcome(err) ?? { outcome: 'error' }), ...(method !== undefined ? { method } : {}) });
}

/** A proven sign-in's end by where it goes next: the shop (success), a held page, or lost (error). */
export function endOf(next: NextStep): SignInEnd {
  if (next.kind === 'lost') return { outcome: 'error' };
  if (next.kind === 'held') return { outcome: 'held', hold: next.hold };
  return { outcome: 'success', ...next.signedIn };
}
