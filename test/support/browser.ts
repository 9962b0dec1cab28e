// A scriptable browser for end-to-end tests: one cookie jar (tough-cookie) across every host, manual
// redirect following that records each hop, and form submission by parsing the page's first form.

import { CookieJar } from 'tough-cookie';

export interface Hop {
  method: string;
  url: string;
  status: number;
  location?: string;
}

export interface Page {
  url: URL;
  status: number;
  html: string;
  headers: Headers;
  hops: Hop[];
}

export class TestBrowser {
  readonly jar = new CookieJar();
  acceptLanguage = 'zh-CN,zh;q=0.9,en;q=0.5';
  /** The User-Agent sent, when set (WeChat's in-app browser sends `MicroMessenger/…`). */
  userAgent: string | undefined;
  /** Every request made, in order (round-trip counting). */
  readonly history: Hop[] = [];

  async request(method: string, url: string | URL, body?: URLSearchParams): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { 'accept-language': this.acceptLanguage, accept: 'text/html,application/json;q=0.9,*/*;q=0.8' };
    const cookie = await this.jar.getCookieString(target.href);
    if (cookie) headers.cookie = cookie;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, { method, headers, body, redirect: 'manual' });
    for (const setCookie of res.headers.getSetCookie()) await this.jar.setCookie(setCookie, target.href, { ignoreError: true });
    const location = res.headers.get('location') ?? undefined;
    this.history.push({ method, url: target.href, status: res.status, ...(location ? { location } : {}) });
    return res;
  }

  /** Requests `url` and follows redirects (303/302 → GET) until a non-redirect answer. */
  async go(url: string | URL, init: { method?: string; body?: URLSearchParams; maxHops?: number; stopAt?: (url: URL) => boolean } = {}): Promise<Page> {
    let method = init.method ?? 'GET';
    let body = init.body;
    let current = new URL(url);
    const hops: Hop[] = [];
    for (let i = 0; i < (init.maxHops ?? 20); i++) {
      if (init.stopAt?.(current)) return { url: current, status: 0, html: '', headers: new Headers(), hops };
      const res = await this.request(method, current, body);
      const location = res.headers.get('location');
      hops.push({ method, url: current.href, status: res.status, ...(location ? { location } : {}) });
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { url: current, status: res.status, html: await res.text(), headers: res.headers, hops };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits the form whose action contains `actionPart` (or the first form) with extra fields. */
  async submit(page: Page, fields: Record<string, string> = {}, actionPart?: string, stopAt?: (url: URL) => boolean): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = actionPart ? forms.find((f) => decode(f[1]!).includes(actionPart)) : forms[0];
    if (!form) throw new Error(`no form${actionPart ? ` with action containing ${actionPart}` : ''} on ${page.url}`);
    const data = new URLSearchParams();
    for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) data.set(decode(m[1]!), decode(m[2]!));
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(new URL(decode(form[1]!), page.url), { method: 'POST', body: data, ...(stopAt ? { stopAt } : {}) });
  }

  /** Follows the first link whose href contains `hrefPart`. */
  async click(page: Page, hrefPart: string, stopAt?: (url: URL) => boolean): Promise<Page> {
    const link = [...page.html.matchAll(/<a[^>]*href="([^"]*)"/g)].map((m) => decode(m[1]!)).find((h) => h.includes(hrefPart));
    if (!link) throw new Error(`no link containing ${hrefPart} on ${page.url}`);
    return this.go(new URL(link, page.url), stopAt ? { stopAt } : {});
  }
}

export function decode(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}
