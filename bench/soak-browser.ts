// The soak's shopper in a browser: a shop sign-in through the benchmark's login client, kept in the
// shopper's own browser (cookies survive between sign-ins, `prompt=login` makes each one a full
// brokered round trip), and, when Denglu answers its failure page, going "back to the shop" the way
// the page offers — so the trace says where the shopper and the shop ended up (bench/soak-classify.ts).

import { BENCH_CLIENT } from './bench-partner.ts';
import { follow, type Jar, loginWith, request, ShopGotError, StoppedOnPage, type Answer, type Target } from './load-client.ts';
import type { Trace } from './soak-classify.ts';

/** A form post from the browser (cookies of the host, urlencoded fields). */
export async function post(jar: Jar, url: URL, fields: Record<string, string>, timeoutMs: number): Promise<Answer> {
  const body = new URLSearchParams(fields).toString();
  const cookie = jar.header(url.host);
  const answer = await request(
    'POST',
    url,
    { ...(cookie ? { cookie } : {}), 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
    body,
    timeoutMs,
  );
  jar.store(url.host, answer.setCookie);
  return answer;
}

/** A page from the browser. */
export async function get(jar: Jar, url: URL, timeoutMs: number): Promise<Answer> {
  const cookie = jar.header(url.host);
  const answer = await request('GET', url, cookie ? { cookie } : {}, undefined, timeoutMs);
  jar.store(url.host, answer.setCookie);
  return answer;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** The page's first CSRF token (`_csrf` hidden field), if any. */
export function csrfOf(html: string): string | undefined {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
}

/** The error code on Denglu's failure page (`data-error-code`). */
export function errorCodeOf(html: string): string | undefined {
  return /data-error-code="([^"]*)"/.exec(html)?.[1];
}

/** The failure page's "back to the shop" form: its action, relative to Denglu. */
export function abortActionOf(html: string): string | undefined {
  const m = /<form method="post" action="(\/interaction\/[^"]+\/abort[^"]*)"/.exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
}

/**
 * Where a sign-in that did not reach the shop with a code ended: Denglu's failure page (then "back to
 * the shop", and what the shop received), the shop's error, or something else.
 */
export async function explain(err: unknown, action: string, jar: Jar, issuer: string, timeoutMs: number): Promise<Trace> {
  if (err instanceof ShopGotError) return { kind: 'shop-error', action, error: err.params.get('error') ?? '(none)' };
  if (!(err instanceof StoppedOnPage) || err.url.origin !== issuer) return { kind: 'threw', action, message: (err as Error).message };
  const status = err.answer.status;
  const errorCode = errorCodeOf(err.answer.body);
  const abort = abortActionOf(err.answer.body);
  if (!abort) return { kind: 'failure-page', action, status, errorCode };
  try {
    const url = new URL(abort, issuer);
    // The form carries the page's CSRF token, as a browser would send it.
    const csrf = csrfOf(err.answer.body);
    const answer = await post(jar, url, csrf ? { _csrf: csrf } : {}, timeoutMs);
    if (!answer.location) return { kind: 'failure-page', action, status, errorCode, shopError: `(back answered ${answer.status})` };
    const next = new URL(answer.location, url);
    const back = next.href.startsWith(BENCH_CLIENT.redirectUri) ? next : await follow(jar, next, BENCH_CLIENT.redirectUri, 'denglu', { timeoutMs });
    return { kind: 'failure-page', action, status, errorCode, shopError: back.searchParams.get('error') ?? '(a code)' };
  } catch (e) {
    return { kind: 'failure-page', action, status, errorCode, shopError: `(going back failed: ${(e as Error).message})` };
  }
}

/** One shop sign-in of `upstreamLogin` in its own browser: the trace, and the shop's access token on success. */
export async function shopSignIn(
  target: Target,
  jar: Jar,
  upstreamLogin: string,
  timeoutMs: number,
): Promise<{ trace: Trace; accessToken?: string; latencyMs: number }> {
  const started = performance.now();
  try {
    const r = await loginWith(target, { jar, upstreamLogin, timeoutMs, extraParams: { prompt: 'login' } });
    return { trace: { kind: 'signed-in', upstreamLogin, sub: String(r.claims.sub) }, accessToken: r.accessToken, latencyMs: r.latencyMs };
  } catch (err) {
    return { trace: await explain(err, 'shop sign-in', jar, target.issuer, timeoutMs), latencyMs: performance.now() - started };
  }
}
