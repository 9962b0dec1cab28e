// Helpers for the phone sign-in tests: partners that offer `phone` (and one with Weibo in grace, the JD
// case), the newest code texted to a number (from the sandbox outbox), and the chooser's phone form.

import assert from 'node:assert/strict';
import { JD_WEIBO_CUTOFF } from '../../config/sandbox-seed.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import type { Integration } from '../../src/partners/partner.ts';
import type { OutboxEntry } from '../../src/mail/outbox.ts';
import type { TestBrowser, Page } from '../support/browser.ts';
import { atShop, authRequest, type Gateway } from '../support/gateway.ts';

const live = (provider: string): Integration => ({ provider, newAccountsDuringNotice: true, atCutoff: 'keep' });

/** JD's Weibo dates (Beijing time): notice 10 September 2013, cutoff 25 September, grace until 25 October. */
export const WEIBO_GRACE: Integration = JD_WEIBO_CUTOFF;

/** alpha and beta also offer `phone`; delta is JD in 2013: Weibo ending, QQ, password and phone live. */
export function withPhone(defaults: PartnerSeed[]): PartnerSeed[] {
  const out = defaults.map((p) => (p.id === 'gamma' ? p : { ...p, integrations: [...p.integrations, live('phone')] }));
  out.push({
    id: 'delta',
    name: { 'zh-CN': '德尔塔商店', en: 'Delta Shop' },
    timeZone: 'Asia/Shanghai',
    locales: ['zh-CN', 'en'],
    firstParty: true,
    clients: [
      {
        client_id: 'delta-basic',
        client_secret: 'delta-basic-secret-0123456789abcdef',
        redirect_uris: ['https://delta-basic.shop.test/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    integrations: [WEIBO_GRACE, live('qq'), live('password'), live('phone')],
  });
  return out;
}

/** The code in the newest text to `phone` (E.164), from the sandbox outbox. */
export async function textedCode(gw: Gateway, phone: string): Promise<string> {
  const texts = (await gw.store.list<OutboxEntry>('outbox', { order: 'desc' })).map((d) => d.value).filter((m) => m.kind === 'sms' && m.to === phone);
  assert.ok(texts.length > 0, `a text to ${phone}`);
  return /\b(\d{6})\b/.exec(texts[0]!.text)![1]!;
}

export async function textCount(gw: Gateway, phone: string): Promise<number> {
  return (await gw.store.list<OutboxEntry>('outbox')).filter((d) => d.value.kind === 'sms' && d.value.to === phone).length;
}

/** The code in the newest mail to `email` (a six-digit code, not a link). */
export async function mailedCode(gw: Gateway, email: string): Promise<string> {
  const mails = (await gw.store.list<OutboxEntry>('outbox', { order: 'desc' })).map((d) => d.value).filter((m) => m.kind !== 'sms' && m.to === email);
  assert.ok(mails.length > 0, `a mail to ${email}`);
  return /\b(\d{6})\b/.exec(mails[0]!.text)![1]!;
}

/** Opens a shop's chooser and asks for a code for `phone` with its phone form. */
export async function phoneAtShop(gw: Gateway, browser: TestBrowser, clientId: string, phone: string) {
  const shop = gw.shops[clientId]!;
  const request = await authRequest(shop);
  const chooser = await browser.go(request.url, { stopAt: atShop(shop) });
  assert.match(chooser.html, /data-phone-form="1"/, 'the chooser shows the phone form');
  const sent = await browser.submit(chooser, { phone }, '/phone/send');
  return { shop, request, chooser, sent, uid: /^\/interaction\/([\w-]+)/.exec(chooser.url.pathname)![1]! };
}

/** Types the code on a code page. */
export function typeCode(browser: TestBrowser, page: Page, code: string, stopAt?: (url: URL) => boolean): Promise<Page> {
  return browser.submit(page, { code }, '/verify', stopAt);
}
