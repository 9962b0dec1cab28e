// Helpers for the account console tests: a shopper's browser in a language, signing in to the console
// with a provider, linking through a provider's authorize page, and a snapshot of everything a refusal
// must leave alone (every account document and the audit log's size).

import assert from 'node:assert/strict';
import { decode, TestBrowser, type Page } from '../support/browser.ts';
import type { Gateway } from '../support/gateway.ts';
import type { Account } from '../../src/accounts/account.ts';
import { listAudit } from '../../src/audit/audit.ts';
import { e2eClientId } from '../support/gateway.ts';

export function browserIn(language: 'en' | 'zh-CN'): TestBrowser {
  const browser = new TestBrowser();
  browser.acceptLanguage = language === 'en' ? 'en' : 'zh-CN,zh;q=0.9';
  return browser;
}

/**
 * Signs in to the console (`reauth`: with prompt=login) choosing `provider` as `login` where asked, or
 * passing through single sign-on; returns /account.
 */
export async function openConsole(
  gw: Pick<Gateway, 'issuer' | 'emulators'>,
  browser: TestBrowser,
  provider: string,
  login: string,
  reauth = false,
): Promise<Page> {
  let page = await browser.go(`${gw.issuer}/account/login${reauth ? '?reauth=1' : ''}`);
  if (page.url.pathname.startsWith('/interaction/')) page = await browser.click(page, `/start/${provider}`);
  if (page.url.origin === gw.emulators[provider]!.url) page = await browser.submit(page, { login, decision: 'approve' });
  assert.equal(page.url.pathname, '/account', `ended at ${page.url.href}: ${page.html.slice(0, 300)}`);
  assert.equal(page.status, 200);
  return page;
}

/** Puts `from`'s Denglu session cookies (the signed `dl_session` pair) into `to`'s jar: `to` is now signed in as `from`. */
export async function adoptSession(gw: Gateway, from: TestBrowser, to: TestBrowser): Promise<void> {
  const cookies = (await from.jar.getCookies(gw.issuer)).filter((c) => c.key === 'dl_session' || c.key === 'dl_session.sig');
  assert.equal(cookies.length, 2, 'a signed session cookie to adopt');
  for (const cookie of cookies) await to.jar.setCookie(cookie.clone()!, gw.issuer);
}

export async function accountPage(gw: Pick<Gateway, 'issuer'>, browser: TestBrowser): Promise<Page> {
  const page = await browser.go(`${gw.issuer}/account`);
  assert.equal(page.status, 200);
  return page;
}

/** Presses "Link <provider>" on the account page; returns the provider's authorize page. */
export async function startLink(gw: Pick<Gateway, 'issuer' | 'emulators'>, browser: TestBrowser, provider: string): Promise<Page> {
  const page = await browser.submit(await accountPage(gw, browser), {}, `/account/link/${provider}`);
  assert.equal(page.url.origin, gw.emulators[provider]!.url, `at the provider, not ${page.status} ${page.url.href}: ${page.html.slice(0, 300)}`);
  return page;
}

/** Approves at the provider as `login` and stops before Denglu's callback; returns its URL. */
export async function approveUntilCallback(gw: Gateway, browser: TestBrowser, authorize: Page, login: string): Promise<URL> {
  const atCallback = (url: URL) => url.origin === gw.issuer && url.pathname.startsWith('/cb/');
  const stopped = await browser.submit(authorize, { login, decision: 'approve' }, undefined, atCallback);
  assert.equal(stopped.status, 0, `stopped at the callback, not ${stopped.url.href}`);
  return stopped.url;
}

/** A whole link from the account page: press the button, approve as `login`, land where Denglu sends. */
export async function linkWith(gw: Pick<Gateway, 'issuer' | 'emulators'>, browser: TestBrowser, provider: string, login: string): Promise<Page> {
  return browser.submit(await startLink(gw, browser, provider), { login, decision: 'approve' });
}

export async function accountOf(gw: Gateway, provider: string, login: string): Promise<Account | undefined> {
  const key = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider))[0]!;
  return (await gw.store.findOne<Account>('accounts', 'identity', key))?.value;
}

export async function mustAccountOf(gw: Gateway, provider: string, login: string): Promise<Account> {
  const account = await accountOf(gw, provider, login);
  assert.ok(account, `an account holds ${provider}:${login}`);
  return account;
}

export interface Snapshot {
  accounts: string;
  audit: number;
}

/** Every account document (as JSON, by id) and the number of audit entries. */
export async function snapshot(gw: Gateway): Promise<Snapshot> {
  const accounts = (await gw.store.list<Account>('accounts')).map((d) => d.value).sort((a, b) => a.id.localeCompare(b.id));
  return { accounts: JSON.stringify(accounts), audit: (await listAudit(gw.store, { limit: 500 })).entries.length };
}

export async function assertNothingChanged(gw: Gateway, before: Snapshot, what: string): Promise<void> {
  const now = await snapshot(gw);
  assert.equal(now.audit, before.audit, `${what}: no audit entry was written`);
  assert.deepEqual(JSON.parse(now.accounts), JSON.parse(before.accounts), `${what}: no account changed`);
}

/** The account page's identity providers, in order. */
export function identitiesOn(page: Page): string[] {
  return [...page.html.matchAll(/data-identity="([^"]+)"/g)].map((m) => m[1]!);
}

/** The account page's CSRF token (every form there carries the same one). */
export function csrfOn(page: Page): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  assert.ok(token, 'a CSRF token on the page');
  return decode(token);
}

/** The account page's "recent security events" lines, as shown (newest first). */
export function eventsOn(page: Page): string[] {
  const list = /<ul class="events">([\s\S]*?)<\/ul>/.exec(page.html)?.[1] ?? '';
  return [...list.matchAll(/<li><span class="when">[^<]*<\/span>\s*([^<]*)<\/li>/g)].map((m) => m[1]!.trim());
}

/** The alert a refused form re-renders the account page with. */
export function errorOn(page: Page): string | undefined {
  return /<p class="alert" role="alert" data-error="1">([^<]*)<\/p>/.exec(page.html)?.[1];
}

/**
 * Stages "the same moment" for two requests: every call of the store's `method` matching `matches`
 * waits for the other request's matching call (or 1 s), so both have read before either writes;
 * after `pairs` meetings calls pass freely. Returns how many calls met a partner, and a function putting the store back.
 */
export function inLockstep(
  gw: Gateway,
  method: 'get' | 'findOne',
  matches: (...args: unknown[]) => boolean,
  pairs = Infinity,
): { met: () => number; restore: () => void } {
  const store = gw.store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = store[method]!;
  let waiting: (() => void) | undefined;
  let met = 0;
  store[method] = async (...args: unknown[]) => {
    if (met < pairs && matches(...args)) {
      if (waiting) {
        met++;
        const partner = waiting;
        waiting = undefined;
        partner();
      } else {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            waiting = undefined;
            resolve();
          }, 1000);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return original.apply(gw.store, args);
  };
  return {
    met: () => met,
    restore: () => {
      store[method] = original;
    },
  };
}

export const MINUTE = 60 * 1000;

/** Whether Weibo's emulator still accepts the access token (false: unknown or revoked, error 21332). */
export async function weiboTokenWorks(gw: Gateway, token: string): Promise<boolean> {
  const res = await fetch(`${gw.emulators.weibo!.url}/oauth2/get_token_info`, { method: 'POST', body: new URLSearchParams({ access_token: token }) });
  const body = (await res.json()) as { error_code?: number };
  if (res.status !== 200) assert.equal(body.error_code, 21332, 'an unknown (revoked) token, not another error');
  return res.status === 200;
}
