// Test helpers shared by every provider's adapter-vs-emulator tests: serve an emulator on a free port,
// a broker-like holder of the pending flow, and one complete upstream round trip driven like a browser would.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, AuthorizationRequest, Emulator, ProviderAdapter, ProviderModule, UpstreamIdentity } from '../contract.ts';

export interface ServedEmulator {
  emulator: Emulator;
  url: string;
  close(): Promise<void>;
}

export async function serveEmulator(emulator: Emulator): Promise<ServedEmulator> {
  const server: Server = createServer(emulator.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    emulator,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        emulator.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const CALLBACK = 'http://127.0.0.1:1/cb/test';

/** Adapter options pointing every base URL role at the emulator. */
export function adapterOptions(roles: string[], emulatorUrl: string, overrides: Partial<AdapterOptions> = {}): AdapterOptions {
  return {
    clientId: 'test-client',
    clientSecret: 'test-secret',
    baseUrls: Object.fromEntries(roles.map((role) => [role, emulatorUrl])),
    timeoutMs: 2000,
    maxBodyBytes: 256 * 1024,
    ...overrides,
  };
}

/** The flow a test broker holds for an adapter: one pending at a time, state = flow id, verifier kept with it. */
export interface TestFlow {
  state: string;
  verifier?: string;
}

const pending = new WeakMap<ProviderAdapter, TestFlow>();

/** The adapter's pending test flow (tests replay or forge it). */
export function pendingFlow(adapter: ProviderAdapter): TestFlow | undefined {
  return pending.get(adapter);
}

export function setPendingFlow(adapter: ProviderAdapter, flow: TestFlow): void {
  pending.set(adapter, flow);
}

/** Starts a flow as the broker does (state, and a PKCE pair when the descriptor says so): the authorize URL. */
export async function beginFlow(adapter: ProviderAdapter, extra: Partial<AuthorizationRequest> = {}): Promise<URL> {
  const flow: TestFlow = { state: randomBytes(16).toString('hex') };
  if (adapter.descriptor.pkce) flow.verifier = randomPKCECodeVerifier();
  const url = await adapter.authorizationUrl({
    state: flow.state,
    callbackUrl: CALLBACK,
    locale: 'zh-CN',
    ...(flow.verifier ? { codeChallenge: await calculatePKCECodeChallenge(flow.verifier) } : {}),
    ...extra,
  });
  pending.set(adapter, flow);
  return new URL(url);
}

/**
 * Plays the browser on the emulator's authorize page: GET it, then POST the form with `login` and
 * `decision`. Returns the Location the emulator redirected to (or the HTML it answered with).
 */
export async function authorizeAt(
  authorizeUrl: URL,
  login: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<{ location?: URL; status: number; html?: string }> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  if (page.status >= 300 && page.status < 400) return { location: new URL(page.headers.get('location')!), status: page.status };
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, html };
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  if (!action) return { status: page.status, html };
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  form.set('login', login);
  form.set('decision', decision);
  const res = await fetch(new URL(action, authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  const location = res.headers.get('location');
  if (location) return { location: new URL(location), status: res.status };
  return { status: res.status, html: await res.text() };
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** What a test round trip ended with: `fail` for a refusal of the flow (denied, state), `error` otherwise. */
export type FlowOutcome = { kind: 'success'; identity: UpstreamIdentity } | { kind: 'fail' | 'error'; error: UpstreamError };

/**
 * Delivers the provider's redirect as the broker's callback would: the pending flow is taken once and a
 * `state` that names none is refused (step `state_validate`) before the adapter sees the callback.
 */
export async function completeFlow(adapter: ProviderAdapter, callback: URL | Record<string, unknown>): Promise<FlowOutcome> {
  const params = callback instanceof URL ? Object.fromEntries(callback.searchParams) : callback;
  const flow = pending.get(adapter);
  if (!flow || params.state !== flow.state) {
    return { kind: 'fail', error: new UpstreamError(adapter.descriptor.id, 'state_validate', '"state" does not match the stored flow') };
  }
  pending.delete(adapter);
  const outcome = await adapter.completeCallback({ params, callbackUrl: CALLBACK, ...(flow.verifier ? { codeVerifier: flow.verifier } : {}) });
  if (outcome.ok) return { kind: 'success', identity: outcome.identity };
  return { kind: outcome.error.step === 'provider_denied' ? 'fail' : 'error', error: outcome.error };
}

/** One full round trip: begin, approve as `login`, complete. Throws unless it succeeds. */
export async function signInUpstream(adapter: ProviderAdapter, login: string): Promise<UpstreamIdentity> {
  const authorize = await beginFlow(adapter);
  const { location } = await authorizeAt(authorize, login);
  if (!location) throw new Error('the emulator did not redirect back');
  const outcome = await completeFlow(adapter, location);
  if (outcome.kind === 'success') return outcome.identity;
  throw outcome.error;
}

export type { ProviderModule };
