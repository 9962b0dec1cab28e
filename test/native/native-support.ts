// Helpers for the native sign-in tests: a shopper's browser on the account console (signing in there
// with a provider, reading the page), the sandbox outbox (the newest link mailed to an address), the
// chooser's password form at a shop, and the store's view of an account.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestBrowser, decode, type Page } from '../support/browser.ts';
import { atShop, authRequest, redeem, type Gateway, e2eClientId } from '../support/gateway.ts';
import type { Account } from '../../src/accounts/account.ts';
import { listAudit } from '../../src/audit/audit.ts';

/** Signs in to the account console with a provider (or passes through single sign-on) and returns /account. */
export async function openConsole(gw: Gateway, browser: TestBrowser, provider: string, login: string, reauth = false): Promise<Page> {
  let page = await browser.go(`${gw.issuer}/account/login${reauth ? '?reauth=1' : ''}`);
  if (page.url.pathname.startsWith('/interaction/')) page = await browser.click(page, `/start/${provider}`);
  if (page.url.origin === gw.emulators[provider]!.url) page = await browser.submit(page, { login, decision: 'approve' });
  assert.equal(page.url.pathname, '/account', `ended at ${page.url.href}: ${page.html.slice(0, 300)}`);
  assert.equal(page.status, 200);
  return page;
}

export async function accountPage(gw: Gateway, browser: TestBrowser): Promise<Page> {
  return browser.go(`${gw.issuer}/account`);
}

/** The newest link mailed to `to` whose URL contains `part`, read from the sandbox outbox page. */
export async function mailedLink(gw: Gateway, browser: TestBrowser, to: string, part: string): Promise<string | undefined> {
  const outbox = await browser.go(`${gw.issuer}/sandbox/outbox`);
  assert.equal(outbox.status, 200);
  for (const item of outbox.html.matchAll(/<li data-to="([^"]*)">([\s\S]*?)<\/li>/g)) {
    if (decode(item[1]!) !== to) continue;
    const link = [...item[2]!.matchAll(/href="([^"]+)" data-mail-link/g)].map((m) => decode(m[1]!)).find((l) => l.includes(part));
    if (link) return link;
  }
  return undefined;
}

export async function mailCount(gw: Gateway, to: string): Promise<number> {
  return (await gw.store.list<{ to: string }>('outbox')).filter((m) => m.value.to === to).length;
}

/** Sets and verifies `email` from the account page (the browser must hold a recent console sign-in). */
export async function verifyEmail(gw: Gateway, browser: TestBrowser, email: string): Promise<Page> {
  const sent = await browser.submit(await accountPage(gw, browser), { email }, '/account/email');
  assert.equal(sent.url.search, '?notice=emailSent', sent.html.slice(0, 400));
  const link = await mailedLink(gw, browser, email, '/account/email/verify');
  assert.ok(link, 'a verification link in the outbox');
  const confirm = await browser.go(link);
  assert.equal(confirm.status, 200);
  return browser.submit(confirm, {}, '/account/email/verify');
}

export async function setFirstPassword(gw: Gateway, browser: TestBrowser, password: string): Promise<Page> {
  return browser.submit(await accountPage(gw, browser), { password }, '/account/password');
}

/** Opens a shop's chooser (no hint) and signs in with the password form; returns the page after the POST. */
export async function passwordAtShop(gw: Gateway, browser: TestBrowser, clientId: string, email: string, password: string) {
  const shop = gw.shops[clientId]!;
  const request = await authRequest(shop);
  const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
  assert.match(chooser.html, /data-password-form="1"/, 'the chooser shows the password form');
  const started = Date.now();
  const page = await browser.submit(chooser, { email, password }, '/password', atShop(shop));
  return { request, chooser, page, ms: Date.now() - started, shop };
}

/** A full password sign-in at a shop that must succeed; returns the ID token claims. */
export async function passwordLogin(gw: Gateway, browser: TestBrowser, clientId: string, email: string, password: string) {
  const { request, page, shop } = await passwordAtShop(gw, browser, clientId, email, password);
  assert.equal(page.status, 0, `back at the shop, not ${page.status} ${page.url.href} ${page.html.slice(0, 300)}`);
  const tokens = await redeem(shop, page.url, request);
  return { tokens, claims: tokens.claims()! };
}

/** A page body without what differs between any two answers (request id, CSRF token, the echoed email). */
export function comparable(html: string): string {
  return html
    .replace(/request-id">[^<]*</g, 'request-id"><')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
    .replace(/name="email" value="[^"]*"/g, 'name="email" value=""')
    .replace(/\/interaction\/[\w-]+\//g, '/interaction/UID/')
    .replace(/&amp;email=[^"]*"/g, '"')
    .replace(/%2Finteraction%2F[\w-]+/g, '%2Finteraction%2FUID');
}

export async function accountById(gw: Gateway, id: string): Promise<Account> {
  return (await gw.store.get<Account>('accounts', id))!;
}

export async function accountOf(gw: Gateway, provider: string, login: string): Promise<Account> {
  const key = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider))[0]!;
  const hit = await gw.store.findOne<Account>('accounts', 'identity', key);
  assert.ok(hit, `an account for ${provider}:${login}`);
  return hit.value;
}

export async function actions(gw: Gateway, accountId: string): Promise<string[]> {
  return (await listAudit(gw.store, { account: accountId, limit: 200 })).entries.map((e) => e.action).reverse();
}

/** Every byte the store wrote to disk, as text (to prove what it does not hold). */
export async function storeFiles(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

/** A new browser that asks for English pages. */
export function english(): TestBrowser {
  const browser = new TestBrowser();
  browser.acceptLanguage = 'en';
  return browser;
}

/**
 * Counts password hashes (node:crypto scrypt calls) while `body` runs: whether a refused attempt did a
 * hash's work is counted, not timed (a busy host makes any duration comparison a guess).
 */
export async function hashesDuring<T>(body: () => Promise<T>): Promise<{ result: T; hashes: number }> {
  const original = crypto.scrypt;
  let hashes = 0;
  crypto.scrypt = ((...args: Parameters<typeof crypto.scrypt>) => {
    hashes++;
    return (original as (...a: unknown[]) => void)(...args);
  }) as typeof crypto.scrypt;
  syncBuiltinESMExports();
  try {
    return { result: await body(), hashes };
  } finally {
    crypto.scrypt = original;
    syncBuiltinESMExports();
  }
}
