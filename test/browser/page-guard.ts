// What fails a browser journey besides its own assertions: console errors, uncaught page errors, failed
// requests, unexpected HTTP errors, Content-Security-Policy violations (reported by the page itself
// through an init script, and Chromium's console lines about the policy), and on Denglu's own pages a
// missing or weakened CSP header or any inline script, style or event handler the policy would refuse.

import { createHash } from 'node:crypto';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { until } from '../support/until.ts';

export interface Problem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http' | 'csp' | 'inline' | 'header';
  url: string;
  text: string;
}

/** A Denglu page the journey saw, with what its checks found. */
export interface CheckedPage {
  url: string;
  status: number;
  csp: string;
  /** Set once the page's own DOM scan reported (inline script/style/handlers found). */
  inline?: string[];
}

/** Inline code a page holds: a `<script>` or `<style>` element (text and nonce), or an attribute. */
interface Inline {
  what: 'script' | 'style' | 'attribute';
  text: string;
  nonce?: string;
}

interface Report {
  kind: 'csp' | 'scan';
  url: string;
  text?: string;
  found?: Inline[];
}

const BINDING = '__dengluGuard';

// Runs in every document before its own scripts (CDP bypasses the CSP for it).
const INIT_SCRIPT = `(() => {
  const report = (m) => { try { window.${BINDING}(m); } catch (e) {} };
  document.addEventListener('securitypolicyviolation', (e) => report({
    kind: 'csp', url: location.href,
    text: e.effectiveDirective + ' refused ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || location.href) + ':' + e.lineNumber + (e.sample ? ' sample ' + JSON.stringify(e.sample) : ''),
  }), true);
  document.addEventListener('DOMContentLoaded', () => {
    const found = [];
    for (const s of document.querySelectorAll('script:not([src])')) found.push({ what: 'script', text: s.textContent, nonce: s.nonce || '' });
    for (const s of document.querySelectorAll('style')) found.push({ what: 'style', text: s.textContent, nonce: s.nonce || '' });
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (a.name === 'style') found.push({ what: 'attribute', text: 'style attribute on <' + el.localName + '>: ' + a.value.slice(0, 60) });
        else if (a.name.startsWith('on')) found.push({ what: 'attribute', text: a.name + ' handler on <' + el.localName + '>' });
        else if ((a.name === 'href' || a.name === 'action' || a.name === 'src') && /^\\s*javascript:/i.test(a.value)) found.push({ what: 'attribute', text: 'javascript: URL on <' + el.localName + '>' });
      }
    }
    report({ kind: 'scan', url: location.href, found });
  });
})();`;

export class PageGuard {
  readonly problems: Problem[] = [];
  readonly dengluPages: CheckedPage[] = [];
  readonly warnings: string[] = [];
  readonly dengluOrigin: string;
  /** HTTP error statuses the journey expects (or allows) next, by URL part, each once. */
  private expected: { status: number; urlPart: string; required: boolean }[] = [];
  /** "status url" of the expected error answers that came. */
  private readonly answered = new Set<string>();
  /** Origins that do not exist on this machine (a test shop's redirect URI): a request there failing is expected. */
  private readonly unreachable = new Set<string>();

  constructor(dengluOrigin: string) {
    this.dengluOrigin = dengluOrigin;
  }

  async attach(context: BrowserContext): Promise<void> {
    await context.exposeBinding(BINDING, (_source, report: Report) => this.onReport(report));
    await context.addInitScript({ content: INIT_SCRIPT });
  }

  watch(page: Page): void {
    page.on('console', (msg) => {
      const text = msg.text();
      const url = msg.location().url || page.url();
      const status = /the server responded with a status of (\d+)/.exec(text);
      if (status && this.answered.has(`${status[1]} ${url}`)) return; // Chromium's line about an expected error status
      if (/Content[- ]Security[- ]Policy/i.test(text)) this.problems.push({ kind: 'csp', url, text });
      // The demo shop and the emulators are sandbox stand-ins with no icon; Denglu's own pages must not 404.
      else if (isFavicon(url) && new URL(url).origin !== this.dengluOrigin) this.warnings.push(`${url}: ${text}`);
      else if (msg.type() === 'error') this.problems.push({ kind: 'console', url, text });
      else if (msg.type() === 'warning') this.warnings.push(`${url}: ${text}`);
    });
    page.on('pageerror', (err) => this.problems.push({ kind: 'pageerror', url: page.url(), text: err.message }));
    page.on('requestfailed', (request) => {
      if (this.unreachable.has(new URL(request.url()).origin)) return;
      this.problems.push({ kind: 'requestfailed', url: request.url(), text: `${request.method()} ${request.failure()?.errorText ?? 'failed'}` });
    });
    page.on('response', (response) => this.onResponse(page, response));
  }

  /** The next response with `status` whose URL contains `urlPart` is part of the journey, not a problem. */
  expect(status: number, urlPart: string): void {
    this.expected.push({ status, urlPart, required: true });
  }

  /** Requests to `origin` fail by design (a test shop that only exists as a redirect URI): not a problem. */
  unreachableOrigin(origin: string): void {
    this.unreachable.add(origin);
  }

  /** Like `expect`, for a status that may or may not come (a confirmation Denglu asks only sometimes). */
  allow(status: number, urlPart: string): void {
    this.expected.push({ status, urlPart, required: false });
  }

  /** Throws with every problem seen so far (and forgets them, so the next step starts clean). */
  async assertClean(step: string): Promise<void> {
    // A page's DOM scan arrives through the binding shortly after its load event.
    // Milliseconds usually, seconds on a contended host; a page that never reports is listed below.
    await until(() => this.dengluPages.every((p) => p.inline !== undefined), 'every page reported its DOM scan').catch(() => {});
    const unseen = this.expected.filter((e) => e.required).map((e) => `expected HTTP ${e.status} at ${e.urlPart} did not happen`);
    const unscanned = this.dengluPages.filter((p) => p.inline === undefined);
    for (const p of unscanned) p.inline = ['(the page never reported its DOM scan)'];
    const pagesUnscanned = unscanned.map((p) => p.url);
    const lines = [...this.problems.map((p) => `[${p.kind}] ${p.url}: ${p.text}`), ...unseen];
    this.problems.length = 0;
    this.expected = [];
    if (lines.length) throw new Error(`${step}: the browser reported ${lines.length} problem(s):\n  ${lines.join('\n  ')}`);
    if (pagesUnscanned.length) throw new Error(`${step}: Denglu page(s) never reported their DOM scan:\n  ${pagesUnscanned.join('\n  ')}`);
  }

  private onResponse(page: Page, response: Response): void {
    const status = response.status();
    const url = response.url();
    const request = response.request();
    if (status >= 400) {
      const i = this.expected.findIndex((e) => e.status === status && url.includes(e.urlPart));
      if (i >= 0) {
        this.expected.splice(i, 1);
        this.answered.add(`${status} ${url}`);
      } else this.problems.push({ kind: 'http', url, text: `${request.method()} answered ${status}` });
    }
    const isDocument = request.isNavigationRequest() && request.frame() === page.mainFrame() && (status < 300 || status >= 400); // not a redirect hop
    if (!isDocument || new URL(url).origin !== this.dengluOrigin) return;
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    this.dengluPages.push({ url, status, csp });
    for (const problem of cspHeaderProblems(csp)) this.problems.push({ kind: 'header', url, text: problem });
  }

  private onReport(report: Report): void {
    if (report.kind === 'csp') {
      this.problems.push({ kind: 'csp', url: report.url, text: report.text ?? '' });
      return;
    }
    if (new URL(report.url).origin !== this.dengluOrigin) return; // emulators and shops are not Denglu's pages
    // The page reports location.href, fragment included (a link to /account#link-alipay); the response has none.
    const reported = report.url.split('#')[0];
    const page = [...this.dengluPages].reverse().find((p) => p.url === reported && p.inline === undefined);
    const refused = (report.found ?? []).filter((i) => !allowedBy(page?.csp ?? '', i)).map(describe);
    if (page) page.inline = refused;
    for (const text of refused) this.problems.push({ kind: 'inline', url: report.url, text });
  }
}

const describe = (i: Inline): string => (i.what === 'attribute' ? i.text : `inline <${i.what}>: ${i.text.trim().slice(0, 80)}`);

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!.toLowerCase(), d.slice(1)]),
  );
}

/**
 * Whether the page's policy lets this inline code run: a `<script>`/`<style>` whose SHA-256 or nonce the
 * policy lists (oidc-provider's self-submitting forms add their script's hash). Attributes never are.
 */
function allowedBy(csp: string, inline: Inline): boolean {
  if (inline.what === 'attribute') return false;
  const d = directives(csp);
  const sources = d.get(`${inline.what}-src-elem`) ?? d.get(`${inline.what}-src`) ?? d.get('default-src') ?? [];
  const hash = `'sha256-${createHash('sha256').update(inline.text).digest('base64')}'`;
  return sources.includes(hash) || (inline.nonce !== undefined && inline.nonce !== '' && sources.includes(`'nonce-${inline.nonce}'`));
}

function isFavicon(url: string): boolean {
  return URL.canParse(url) && new URL(url).pathname === '/favicon.ico';
}

/** What a Denglu page's CSP header must say: no inline script or style, no plugins, no framing. */
export function cspHeaderProblems(csp: string): string[] {
  if (!csp) return ['no content-security-policy header'];
  const d = directives(csp);
  const problems: string[] = [];
  for (const name of ['script-src', 'style-src']) {
    const sources = d.get(name) ?? d.get('default-src');
    if (!sources) problems.push(`"${name}" is not restricted`);
    else if (sources.some((s) => s === "'unsafe-inline'" || s === "'unsafe-eval'" || s === "'unsafe-hashes'" || s === '*'))
      problems.push(`"${name}" allows ${sources.join(' ')}`);
  }
  if (d.get('object-src')?.join(' ') !== "'none'") problems.push('"object-src" is not \'none\'');
  if (d.get('frame-ancestors')?.join(' ') !== "'none'") problems.push('"frame-ancestors" is not \'none\'');
  return problems;
}
