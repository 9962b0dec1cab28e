// Shared by the failure and protocol e2e suites: a wiretap on an emulator (every request it got, the
// codes and tokens it handed out), the checks every failure page must pass, and a guard that fails a
// test when anything in the process rejected without a handler.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedEmulator } from '../../providers/shared/testing.ts';
import type { Page } from '../support/browser.ts';
import type { Gateway } from '../support/gateway.ts';

export interface TappedRequest {
  method: string;
  path: string;
  /** The query string's parameters (Alipay names the gateway method there). */
  query: URLSearchParams;
  status?: number;
  location?: string;
  body: string;
}

export interface Wiretap {
  requests: TappedRequest[];
  /** Calls to `path` (no query) so far. */
  /** Requests to `path`; `path?k=v` only those whose query has every such parameter. */
  to(path: string): TappedRequest[];
  /** How many requests `to(path)` holds. */
  count(path: string): number;
  /** Every authorization code, access token and refresh token the emulator handed out. */
  secrets(): string[];
}

/** Records every request the emulator serves, by wrapping its express app's `handle`. */
export function wiretap(served: ServedEmulator): Wiretap {
  const app = served.emulator.app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, next?: unknown) => void };
  const handle = app.handle.bind(app);
  const requests: TappedRequest[] = [];
  app.handle = (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://tap');
    const entry: TappedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: '' };
    requests.push(entry);
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
      entry.status = res.statusCode;
      const location = res.getHeader('location');
      if (typeof location === 'string') entry.location = location;
      entry.body = Buffer.concat(chunks).toString('utf8');
      return end(chunk, ...rest);
    }) as typeof res.end;
    handle(req, res, next);
  };
  function to(path: string): TappedRequest[] {
    const wanted = new URL(path, 'http://tap');
    return requests.filter((r) => r.path === wanted.pathname && [...wanted.searchParams].every(([k, v]) => r.query.get(k) === v));
  }
  return {
    requests,
    to,
    count: (path) => to(path).length,
    secrets() {
      const out = new Set<string>();
      for (const r of requests) {
        const query = r.location ? new URL(r.location, 'http://x').searchParams : undefined;
        const code = query?.get('code') ?? query?.get('auth_code'); // Alipay names it auth_code
        if (code && code.length >= 8) out.add(code);
        for (const m of r.body.matchAll(/(?:access_token|refresh_token)["']?\s*[:=]\s*"?([\w.~+/-]{8,})/g)) out.add(m[1]!);
      }
      return [...out];
    },
  };
}

/** Asserts that no captured log line holds any of `secrets`. */
export function assertLogsClean(gw: Gateway, secrets: Iterable<string>): void {
  const logs = gw.logs.join('\n');
  for (const secret of secrets) assert.ok(!logs.includes(secret), `a log line contains the upstream secret ${secret.slice(0, 6)}…`);
}

export const TITLE = { en: 'Sign-in did not complete', 'zh-CN': '登录没有完成' } as const;

/**
 * What every failure page owes the shopper: an HTML error status, their language, the request id of
 * this very response, a way forward, and nothing of the machinery (no stack, no script, no upstream
 * text).
 */
export function assertFailurePage(page: Page, expected: { locale: 'en' | 'zh-CN'; message?: string; code?: string; status?: number }): string {
  assert.ok(page.status >= 400 && page.status < 600, `an error status, got ${page.status} at ${page.url.href}`);
  if (expected.status !== undefined) assert.equal(page.status, expected.status);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(page.html.includes(`<html lang="${expected.locale}">`), `page in ${expected.locale}`);
  assert.ok(page.html.includes(`<h1>${TITLE[expected.locale]}</h1>`), 'the localized title');
  if (expected.message !== undefined) assert.ok(page.html.includes(escapeHtml(expected.message)), `message "${expected.message}" in:\n${page.html}`);
  if (expected.code !== undefined) assert.ok(page.html.includes(`data-error-code="${expected.code}"`), `error code ${expected.code}`);
  const requestId = page.headers.get('x-request-id');
  assert.ok(requestId && requestId.length >= 8, 'the response carries a request id');
  assert.ok(page.html.includes(requestId), 'the page shows the request id');
  const actions = [...page.html.matchAll(/<div class="actions">([\s\S]*?)<\/div>/g)].map((m) => m[1]!).join('');
  assert.match(actions, /<(a|form)\b[^>]*(href|action)="\/[^"]*"/, 'at least one way forward');
  assert.doesNotMatch(page.html, /<script/i, 'no script element at all');
  assert.doesNotMatch(page.html, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error: /, 'no stack trace');
  for (const upstream of ['系统繁忙', 'Internal Server Error', 'error_code', 'invalid authorization code', 'callback(']) {
    assert.ok(!page.html.includes(upstream), `no upstream text (${upstream}) on the page`);
  }
  return requestId;
}

/** The failure page's actions: hrefs of links and actions of forms. */
export function actionsOf(page: Page): string[] {
  const block = /<div class="actions">([\s\S]*?)<\/div>/.exec(page.html)?.[1] ?? '';
  return [...block.matchAll(/(?:href|action)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/** Collects unhandled rejections while installed; `check()` fails when any happened since the last check. */
export function rejectionGuard() {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  return {
    install: () => process.on('unhandledRejection', listener),
    uninstall: () => process.off('unhandledRejection', listener),
    check() {
      const found = seen.splice(0);
      assert.deepEqual(found.map(String), [], 'no unhandled promise rejection');
    },
  };
}
