// The page guard must be able to fail: in Chromium, a page served with Denglu's real security headers
// but holding inline style, script and handlers, a blocked image, a console error, an uncaught error, a
// page with no CSP header, and an unexpected 404 are each reported; a clean page and an inline script the
// policy allows by hash (as oidc-provider's self-submitting forms do) are not.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Page } from 'playwright-core';
import { securityHeaders } from '../../src/http/security.ts';
import { chromiumAvailable, launchChromium, type LaunchedBrowser } from './chromium.ts';
import { PageGuard } from './page-guard.ts';

const AUTO_SUBMIT = "document.addEventListener('DOMContentLoaded', function () { document.title = 'ran' });";

function site(): express.Express {
  const app = express();
  app.get('/plain', (_req, res) => {
    res.type('html').send('<!DOCTYPE html><title>plain</title><p>no policy</p>');
  });
  app.use(securityHeaders({ production: false, imageOrigins: ['https:'] }));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.get('/boom.js', (_req, res) => {
    res.type('js').send("console.error('boom'); setTimeout(() => { throw new Error('kaboom'); });");
  });
  app.get('/clean', (_req, res) => {
    res.type('html').send('<!DOCTYPE html><title>clean</title><p class="x">fine</p>');
  });
  app.get('/bad', (_req, res) => {
    res
      .type('html')
      .send(
        '<!DOCTYPE html><title>bad</title><style>p{color:red}</style><p style="color:blue">x</p>' +
          '<button onclick="go()">go</button><script>window.inline = 1;</script><img src="http://127.0.0.1:9/x.png" alt="">',
      );
  });
  app.get('/errors', (_req, res) => {
    res.type('html').send('<!DOCTYPE html><title>errors</title><script src="/boom.js"></script>');
  });
  app.get('/hashed', (_req, res) => {
    const sha = createHash('sha256').update(AUTO_SUBMIT).digest('base64');
    res.setHeader(
      'content-security-policy',
      `${String(res.getHeader('content-security-policy'))}`.replace("script-src 'self'", `script-src 'self' 'sha256-${sha}'`),
    );
    res.type('html').send(`<!DOCTYPE html><title>hashed</title><script>${AUTO_SUBMIT}</script>`);
  });
  app.use((_req, res) => {
    res.status(404).type('html').send('<!DOCTYPE html><title>missing</title><p>not here</p>');
  });
  return app;
}

describe('browser: the page guard reports what it must (Chromium)', function () {
  this.timeout(30_000);
  let browser: LaunchedBrowser | undefined;
  let server: Server;
  let origin: string;
  let page: Page;
  let guard: PageGuard;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    server = createServer(site());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    guard = new PageGuard(origin);
    await guard.attach(browser.context);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    guard.watch(page);
  });
  after(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The problems one visit produced, as "kind: text" lines. */
  async function problemsAt(path: string): Promise<string[]> {
    await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    await page.waitForTimeout(100);
    try {
      await guard.assertClean(path);
      return [];
    } catch (err) {
      return (err as Error).message
        .split('\n')
        .slice(1)
        .map((l) => l.trim());
    }
  }

  it('a clean page under the policy: nothing', async () => {
    assert.deepEqual(await problemsAt('/clean'), []);
  });

  it('inline style, script, handler and a foreign image: CSP violations and inline findings', async () => {
    const problems = (await problemsAt('/bad')).join('\n');
    assert.match(problems, /\[csp\].*style-src/);
    assert.match(problems, /\[csp\].*script-src/);
    assert.match(problems, /\[csp\].*img-src/);
    assert.match(problems, /\[inline\].*<style>/);
    assert.match(problems, /\[inline\].*style attribute on <p>/);
    assert.match(problems, /\[inline\].*onclick handler on <button>/);
    assert.match(problems, /\[inline\].*inline <script>/);
  });

  it('a console error and an uncaught error', async () => {
    const problems = (await problemsAt('/errors')).join('\n');
    assert.match(problems, /\[console\].*boom/);
    assert.match(problems, /\[pageerror\].*kaboom/);
  });

  it('a page without a CSP header, and an unexpected 404', async () => {
    assert.match((await problemsAt('/plain')).join('\n'), /\[header\].*no content-security-policy header/);
    assert.match((await problemsAt('/missing')).join('\n'), /\[http\].*answered 404/);
  });

  it('an inline script the policy allows by its hash: nothing (it runs)', async () => {
    assert.deepEqual(await problemsAt('/hashed'), []);
    assert.equal(await page.title(), 'ran');
  });

  it('an expected error status is not a problem, and an expected one that never comes is', async () => {
    guard.expect(404, '/missing');
    assert.deepEqual(await problemsAt('/missing'), []);
    guard.expect(404, '/missing');
    assert.match((await problemsAt('/clean')).join('\n'), /expected HTTP 404 at \/missing did not happen/);
  });
});
