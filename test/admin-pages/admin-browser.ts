// Helpers for admin page tests: signing in through the form, reading a form's fields the way a browser
// sends them (text, checked boxes and radios, selected options, textareas, hidden fields), submitting a
// form with some fields changed, creating partner managers through the admin API, and the JD case's
// schedule seeded on partner alpha.

import { TestBrowser, decode, type Page } from '../support/browser.ts';
import type { Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';

export { OPERATOR };

export function adminBrowser(locale: 'en' | 'zh-CN' = 'en'): TestBrowser {
  const browser = new TestBrowser();
  browser.acceptLanguage = locale === 'en' ? 'en-GB,en;q=0.9' : 'zh-CN,zh;q=0.9';
  return browser;
}

/** Creates a partner manager of `partners` with the operator token; returns its id and secret. */
export async function createManager(gw: Gateway, name: string, partners: string[]): Promise<{ id: string; secret: string; token: string }> {
  const created = await client(gw, OPERATOR).post('/managers', { name, partners });
  if (created.status !== 201) throw new Error(`manager not created: ${JSON.stringify(created.body)}`);
  const token = created.body.token as string;
  const dot = token.indexOf('.');
  return { id: token.slice(0, dot), secret: token.slice(dot + 1), token };
}

/** Signs in through /admin/login; returns the page the form led to. */
export async function signIn(gw: Gateway, browser: TestBrowser, user: string, secret: string, next?: string): Promise<Page> {
  const form = await browser.go(`${gw.issuer}/admin/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  return browser.submit(form, { user, secret }, '/admin/login');
}

/** A browser in `locale` signed in as a new manager of `partners`. */
export async function managerBrowser(gw: Gateway, name: string, partners: string[], locale: 'en' | 'zh-CN' = 'en'): Promise<TestBrowser> {
  const m = await createManager(gw, name, partners);
  const browser = adminBrowser(locale);
  await signIn(gw, browser, m.id, m.secret);
  return browser;
}

function formOf(page: Page, actionPart: string): { action: string; method: string; body: string } {
  const forms = [...page.html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)];
  for (const f of forms) {
    const action = decode(/action="([^"]*)"/.exec(f[1]!)?.[1] ?? '');
    if (action.includes(actionPart)) return { action, method: (/method="([^"]*)"/.exec(f[1]!)?.[1] ?? 'get').toUpperCase(), body: f[2]! };
  }
  throw new Error(`no form with action containing ${actionPart} on ${page.url}`);
}

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
};
const has = (tag: string, name: string): boolean => new RegExp(`\\s${name}(?=[\\s>=]|$)`).test(tag);

/** The fields a browser would send for the form whose action contains `actionPart`. */
export function formFields(page: Page, actionPart: string): URLSearchParams {
  const { body } = formOf(page, actionPart);
  const data = new URLSearchParams();
  for (const m of body.matchAll(/<input[^>]*>/g)) {
    const tag = m[0];
    const name = attr(tag, 'name');
    if (!name) continue;
    const type = attr(tag, 'type') ?? 'text';
    if (type === 'checkbox' || type === 'radio') {
      if (has(tag, 'checked')) data.append(name, attr(tag, 'value') ?? 'on');
    } else {
      data.append(name, attr(tag, 'value') ?? '');
    }
  }
  for (const m of body.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1]!, 'name');
    if (!name) continue;
    const options = [...m[2]!.matchAll(/<option([^>]*)>/g)].map((o) => o[1]!);
    const chosen = options.find((o) => has(o, 'selected')) ?? options[0];
    if (chosen !== undefined) data.append(name, attr(chosen, 'value') ?? '');
  }
  for (const m of body.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1]!, 'name');
    if (name) data.append(name, decode(m[2]!));
  }
  return data;
}

/** Submits a form as a browser would, with `changes` applied (null: the field is not sent, e.g. unchecked). */
export async function submitForm(browser: TestBrowser, page: Page, actionPart: string, changes: Record<string, string | null> = {}): Promise<Page> {
  const { action, method } = formOf(page, actionPart);
  const data = formFields(page, actionPart);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) data.delete(k);
    else data.set(k, v);
  }
  const url = new URL(action, page.url);
  if (method === 'GET') {
    url.search = data.toString();
    return browser.go(url);
  }
  return browser.go(url, { method: 'POST', body: data });
}

/** What must not move when a request is refused: the partner document and the audit log's size. */
export async function snapshot(gw: Gateway, partnerId: string): Promise<{ partner: string; audit: number }> {
  return { partner: JSON.stringify(await gw.store.get('partners', partnerId)), audit: await gw.store.count('audit') };
}

/** The shoppers' page the preview shows: the HTML of its frame (`srcdoc`). */
export function previewFrame(page: Page): string {
  const srcdoc = /<iframe class="preview-frame"[^>]*\ssrcdoc="([^"]*)"/.exec(page.html)?.[1];
  if (srcdoc === undefined) throw new Error(`no preview frame on ${page.url}`);
  return decode(srcdoc.replace(/&#34;/g, '"'));
}

/** The inline timeline SVG of a page. */
export function timelineSvg(page: Page): string {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(page.html)?.[0];
  if (!svg) throw new Error(`no SVG on ${page.url}`);
  return svg;
}

const at = (iso: string) => Date.parse(iso);

/** Partner seeds where alpha plays JD: Weibo notice 10 Sep, cutoff 25 Sep, grace until 25 Oct 2013; QQ and Sohu live. */
export function jd(seeds: PartnerSeed[]): PartnerSeed[] {
  return seeds.map((p) =>
    p.id !== 'alpha'
      ? p
      : {
          ...p,
          integrations: p.integrations.map((i) =>
            i.provider === 'weibo'
              ? { ...i, noticeAt: at('2013-09-10T00:00+08:00'), cutoffAt: at('2013-09-25T00:00+08:00'), graceEndsAt: at('2013-10-25T00:00+08:00') }
              : i,
          ),
        },
  );
}
