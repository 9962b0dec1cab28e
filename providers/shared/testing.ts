// Test helpers shared by every provider's adapter-vs-emulator tests: serve an emulator on a free port,
// a minimal broker state store, and one complete upstream round trip driven like a browser would.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AdapterOptions, BrokerStateStore, Emulator, ProviderModule, UpstreamIdentity } from '../contract.ts';
import { runStrategy, type StrategyOutcome } from './run-strategy.ts';
import type { BrokerStrategy } from './broker-strategy.ts';

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

/** A broker-like state store: one pending flow at a time, state = flow id, verifier kept with it. */
export class TestStateStore implements BrokerStateStore {
  state: string | undefined;
  verifier: string | undefined;
  store(_req: unknown, verifier: string | undefined, _state: unknown, _meta: unknown, cb: (err: unknown, handle?: string) => void): void {
    this.state = randomBytes(16).toString('base64url');
    this.verifier = verifier;
    cb(null, this.state);
  }
  verify(_req: unknown, providedState: string, _meta: unknown, cb: (err: unknown, ok: string | boolean, info?: unknown) => void): void {
    if (!this.state || providedState !== this.state) return cb(null, false, { message: 'state does not match the stored flow' });
    const ok = this.verifier ?? true;
    this.state = undefined;
    cb(null, ok);
  }
}

export const CALLBACK = 'http://127.0.0.1:1/cb/test';

/** Adapter options pointing every base URL role at the emulator. */
export function adapterOptions(roles: string[], emulatorUrl: string, overrides: Partial<AdapterOptions> = {}): AdapterOptions & { stateStore: TestStateStore } {
  return {
    clientId: 'test-client',
    clientSecret: 'test-secret',
    baseUrls: Object.fromEntries(roles.map((role) => [role, emulatorUrl])),
    callbackUrl: CALLBACK,
    timeoutMs: 2000,
    maxBodyBytes: 256 * 1024,
    stateStore: new TestStateStore(),
    ...overrides,
  } as AdapterOptions & { stateStore: TestStateStore };
}

/** Starts a flow: returns the authorize URL the browser would be sent to. */
export async function beginFlow(strategy: BrokerStrategy): Promise<URL> {
  const outcome = await runStrategy(strategy, { query: {} });
  if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${outcome.kind}`);
  return new URL(outcome.url);
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

/** Delivers the provider's redirect to the strategy as the broker's callback would. */
export function completeFlow(strategy: BrokerStrategy, callback: URL): Promise<StrategyOutcome> {
  return runStrategy(strategy, { query: Object.fromEntries(callback.searchParams) });
}

/** One full round trip: begin, approve as `login`, complete. Throws unless it succeeds. */
export async function signInUpstream(strategy: BrokerStrategy, login: string): Promise<UpstreamIdentity> {
  const authorize = await beginFlow(strategy);
  const { location } = await authorizeAt(authorize, login);
  if (!location) throw new Error('the emulator did not redirect back');
  const outcome = await completeFlow(strategy, location);
  if (outcome.kind === 'success') return outcome.identity;
  if (outcome.kind === 'redirect') throw new Error(`unexpected redirect to ${outcome.url}`);
  throw outcome.error;
}

export type { ProviderModule };
