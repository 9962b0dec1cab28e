// The soak's verdict on each thing a shopper did while the emulators misbehaved on purpose. A sign-in
// either succeeds (with the same `sub` as every earlier sign-in of that shopper at that shop), or fails
// the documented way an upstream failure must: Denglu's failure page (502, `ERR_UPSTREAM`) and, when the
// shopper goes back, the shop receiving `temporarily_unavailable`. Anything else — a 500 from Denglu,
// another error code, no answer within the deadline, a wrong `sub` — is unexpected. Over the whole run,
// documented failures must match the faults the emulators served one for one.

/** What one attempt at a sign-in (or a console action) came to, as the soak's client saw it. */
export type Trace =
  /** The shop got an ID token for this upstream user. */
  | { kind: 'signed-in'; upstreamLogin: string; sub: string }
  /** A console action answered the way it does on success (`/account?notice=linked`, the reset's done page). */
  | { kind: 'done'; action: string }
  /** Denglu answered a page instead of a redirect: its status, `data-error-code`, and where "back" led. */
  | { kind: 'failure-page'; action: string; status: number; errorCode: string | undefined; shopError?: string | undefined }
  /** The shop got an error at its redirect URI without a failure page in between. */
  | { kind: 'shop-error'; action: string; error: string }
  /** Anything else: a transport error, no answer within the deadline, a bad token, a wrong page. */
  | { kind: 'threw'; action: string; message: string };

export type Verdict = { kind: 'ok' } | { kind: 'expected' } | { kind: 'unexpected'; why: string };

/** The status and error code of an upstream failure's page (src/errors.ts UpstreamError). */
export const UPSTREAM_FAILURE = { status: 502, errorCode: 'ERR_UPSTREAM', shopError: 'temporarily_unavailable' } as const;

/**
 * The verdict on one trace; `subs` holds the `sub` each upstream user got so far and learns new ones.
 * `viaShop`: the failure page belongs to a shop's sign-in, so going back must reach the shop with
 * `temporarily_unavailable` (a console link's page leads back to the console instead).
 */
export function classify(trace: Trace, subs: Map<string, string>, viaShop = true): Verdict {
  switch (trace.kind) {
    case 'signed-in': {
      const known = subs.get(trace.upstreamLogin);
      if (known === undefined) subs.set(trace.upstreamLogin, trace.sub);
      else if (known !== trace.sub) return { kind: 'unexpected', why: `wrong sub for ${trace.upstreamLogin}: ${trace.sub}, earlier ${known}` };
      return { kind: 'ok' };
    }
    case 'done':
      return { kind: 'ok' };
    case 'failure-page': {
      if (trace.status !== UPSTREAM_FAILURE.status || trace.errorCode !== UPSTREAM_FAILURE.errorCode) {
        return { kind: 'unexpected', why: `${trace.action}: Denglu answered ${trace.status} ${trace.errorCode ?? '(no error code)'}` };
      }
      if (viaShop && trace.shopError !== UPSTREAM_FAILURE.shopError) {
        return {
          kind: 'unexpected',
          why: `${trace.action}: back from the failure page the shop got ${trace.shopError ?? 'nothing'}, not ${UPSTREAM_FAILURE.shopError}`,
        };
      }
      return { kind: 'expected' };
    }
    case 'shop-error':
      return { kind: 'unexpected', why: `${trace.action}: the shop got ${trace.error} without a failure page` };
    case 'threw':
      return { kind: 'unexpected', why: `${trace.action}: ${trace.message}` };
  }
}

/** What the run's failures came to: each served fault must have failed exactly one attempt. */
export function reconcile(expectedFailures: number, faultsServed: number): { unexpected: number; why?: string } {
  if (expectedFailures > faultsServed)
    return { unexpected: expectedFailures - faultsServed, why: `${expectedFailures - faultsServed} documented failure(s) without a fault served` };
  if (faultsServed > expectedFailures)
    return {
      unexpected: faultsServed - expectedFailures,
      why: `${faultsServed - expectedFailures} fault(s) served that failed no sign-in (a bad answer accepted)`,
    };
  return { unexpected: 0 };
}

/** Least-squares slope of y over x (per unit of x); undefined with fewer than three points. */
export function slope(points: readonly { x: number; y: number }[]): number | undefined {
  if (points.length < 3) return undefined;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  return points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}
