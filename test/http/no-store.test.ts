// Nothing a shopper, a manager or a shop is answered with is kept by a browser or a cache, unless its
// route opts out (static files, the favicon, discovery and the JWKS): every GET route the source declares
// is requested here (signed in, with live tokens where a route takes one) and each answer must carry
// `Cache-Control: no-store`. A route added without an entry in ROUTES fails the coverage test.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { authRequest, startGateway, type Gateway } from '../support/gateway.ts';
import { accountPage, mailedLink, openConsole, setFirstPassword, verifyEmail } from '../native/native-support.ts';
import { adminBrowser, OPERATOR, signIn } from '../admin-pages/admin-browser.ts';

/** Where each source file's routers are mounted. */
const MOUNTS: Record<string, string> = {
  'src/admin/pages/': '/admin',
  'src/admin/routes-': '/api/admin',
  'src/admin/admin-api.ts': '/api/admin',
};

/** Every GET route in src (but the sandbox's demo shop, a separate app), as mounted. */
async function declaredGetRoutes(): Promise<string[]> {
  const routes: string[] = [];
  for (const entry of await readdir('src', { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = relative('.', join(entry.parentPath, entry.name));
    if (file === 'src/sandbox/demo-shop.ts') continue;
    const mount = Object.entries(MOUNTS).find(([prefix]) => file.startsWith(prefix))?.[1] ?? '';
    for (const m of (await readFile(file, 'utf8')).matchAll(/\b(?:router|app)\.get\(\s*'([^']+)'/g)) {
      routes.push(mount + (m[1] === '/' && mount ? '/' : m[1]));
    }
  }
  return routes;
}

/** One GET, redirects not followed. */
async function once(browser: TestBrowser, url: string): Promise<Page> {
  const res = await browser.request('GET', url);
  return { url: new URL(url), status: res.status, html: await res.text(), headers: res.headers, hops: [] };
}

describe('Cache-Control: no-store on every answer but the cacheable files', function () {
  let gw: Gateway;
  let shopper: TestBrowser;
  let admin: TestBrowser;
  let uid: string;
  let verifyLink: string;
  let resetLink: string;
  /** How to reach each declared route (param values filled in), by its declared path. */
  let ROUTES: Record<string, () => Promise<Page>>;

  before(async () => {
    gw = await startGateway({ clock: new ManualClock('2013-09-01T10:00:00+08:00') });
    shopper = new TestBrowser();
    shopper.acceptLanguage = 'en';
    await openConsole(gw, shopper, 'weibo', 'cache-fan');
    await verifyEmail(gw, shopper, 'cache-fan@example.com');
    await setFirstPassword(gw, shopper, 'correct horse battery staple');
    await shopper.submit(await accountPage(gw, shopper), { email: 'cache-fan-2@example.com' }, '/account/email');
    verifyLink = (await mailedLink(gw, shopper, 'cache-fan-2@example.com', '/account/email/verify'))!;
    const reset = await shopper.submit(await shopper.go(`${gw.issuer}/account/password/reset`), { email: 'cache-fan@example.com' }, '/account/password/reset');
    assert.equal(reset.status, 200);
    resetLink = (await mailedLink(gw, shopper, 'cache-fan@example.com', '/account/password/reset/confirm'))!;
    assert.ok(verifyLink && resetLink, 'one-time links in the outbox');
    const chooser = await shopper.go((await authRequest(gw.shops['alpha-basic']!, { prompt: 'login' })).url);
    uid = /\/interaction\/([\w-]+)/.exec(chooser.url.pathname)![1]!;
    admin = adminBrowser();
    await signIn(gw, admin, 'operator', OPERATOR);

    const get = (browser: TestBrowser, path: string) => () => once(browser, `${gw.issuer}${path}`);
    const api = (path: string) => async (): Promise<Page> => {
      const res = await fetch(`${gw.issuer}/api/admin${path}`, { headers: { authorization: `Bearer ${OPERATOR}` } });
      return { url: new URL(res.url), status: res.status, html: await res.text(), headers: res.headers, hops: [] };
    };
    ROUTES = {
      '/': get(shopper, '/'),
      '/healthz': get(shopper, '/healthz'),
      '/readyz': get(shopper, '/readyz'),
      '/static/providers.css': get(shopper, '/static/providers.css'),
      '/favicon.ico': get(shopper, '/favicon.ico'),
      '/clients/:clientId/sign-in-methods': get(shopper, '/clients/alpha-basic/sign-in-methods'),
      // Alpha has no brand here: the 404 page (a brand that exists is cacheable: test/look).
      '/brand/:partner/logo': get(shopper, '/brand/alpha/logo'),
      '/brand/:partner/style.css': get(shopper, '/brand/alpha/style.css'),
      '/locale': get(shopper, '/locale?to=en&back=/'),
      '/account': get(shopper, '/account'),
      '/account/login': get(shopper, '/account/login'),
      '/account/phone': get(shopper, '/account/phone'),
      '/account/callback': get(shopper, '/account/callback?state=x&code=y'),
      '/account/unlink/:provider': get(shopper, '/account/unlink/weibo'),
      '/account/signed-out': get(shopper, '/account/signed-out?provider=weibo'),
      '/account/delete': get(shopper, '/account/delete'),
      '/account/deleted': get(shopper, '/account/deleted'),
      '/account/email/verify': () => once(shopper, verifyLink),
      '/account/password/reset': get(shopper, '/account/password/reset'),
      '/account/password/reset/confirm': () => once(shopper, resetLink),
      '/sandbox/outbox': get(shopper, '/sandbox/outbox'),
      '/notice-mail/unsubscribe': get(shopper, '/notice-mail/unsubscribe?token=not-a-token'),
      '/cb/:provider': get(shopper, '/cb/weibo?state=nope&code=nope'),
      '/interaction/:uid': get(shopper, `/interaction/${uid}`),
      '/interaction/:uid/start/:provider': get(shopper, `/interaction/${uid}/start/qq`),
      '/interaction/:uid/notice': get(shopper, `/interaction/${uid}/notice`),
      '/interaction/:uid/migrate': get(shopper, `/interaction/${uid}/migrate`),
      '/interaction/:uid/first-login': get(shopper, `/interaction/${uid}/first-login`),
      '/interaction/:uid/link/:provider': get(shopper, `/interaction/${uid}/link/qq`),
      '/interaction/:uid/migrate/:provider': get(shopper, `/interaction/${uid}/migrate/qq`),
      '/interaction/:uid/phone': get(shopper, `/interaction/${uid}/phone`),
      '/interaction/:uid/add/phone': get(shopper, `/interaction/${uid}/add/phone`),
      '/interaction/:uid/add/password': get(shopper, `/interaction/${uid}/add/password`),
      '/admin/': get(admin, '/admin/'),
      '/admin/login': get(adminBrowser(), '/admin/login'),
      '/admin/audit': get(admin, '/admin/audit'),
      '/admin/partners/:id': get(admin, '/admin/partners/alpha'),
      '/admin/partners/:id/preview': get(admin, '/admin/partners/alpha/preview'),
      '/admin/partners/:id/brand': get(admin, '/admin/partners/alpha/brand'),
      '/admin/partners/:id/webhooks': get(admin, '/admin/partners/alpha/webhooks'),
      '/admin/partners/:id/integrations/:provider': get(admin, '/admin/partners/alpha/integrations/weibo'),
      '/admin/partners/:id/integrations/:provider/impact': get(admin, '/admin/partners/alpha/integrations/weibo/impact'),
      '/admin/partners/:id/integrations/:provider/impact.csv': get(admin, '/admin/partners/alpha/integrations/weibo/impact.csv'),
      '/admin/partners/:id/analytics.csv': get(admin, '/admin/partners/alpha/analytics.csv'),
      '/api/admin/openapi.json': api('/openapi.json'),
      '/api/admin/partners': api('/partners'),
      '/api/admin/partners/:id': api('/partners/alpha'),
      '/api/admin/managers': api('/managers'),
      '/api/admin/partners/:id/integrations': api('/partners/alpha/integrations'),
      '/api/admin/partners/:id/integrations/:provider': api('/partners/alpha/integrations/weibo'),
      '/api/admin/partners/:id/preview': api('/partners/alpha/preview'),
      '/api/admin/partners/:id/webhooks': api('/partners/alpha/webhooks'),
      '/api/admin/partners/:id/webhooks/deliveries': api('/partners/alpha/webhooks/deliveries'),
      '/api/admin/partners/:id/integrations/:provider/impact': api('/partners/alpha/integrations/weibo/impact'),
      '/api/admin/partners/:id/analytics': api('/partners/alpha/analytics'),
      '/api/admin/keys': api('/keys'),
      '/api/admin/audit': api('/audit'),
    };
  });
  after(() => gw.close());

  it('covers every GET route the source declares', async () => {
    const missing = (await declaredGetRoutes()).filter((r) => !(r in ROUTES));
    assert.deepEqual(missing, [], 'routes without an entry here');
  });

  it('answers every route with no-store (pages, one-time links, CSRF forms, redirects, errors, admin JSON)', async () => {
    const cacheable = new Set(['/static/providers.css', '/favicon.ico', '/clients/:clientId/sign-in-methods']);
    for (const [route, reach] of Object.entries(ROUTES)) {
      const page = await reach();
      const header = page.headers.get('cache-control') ?? '';
      if (cacheable.has(route)) assert.match(header, /public, max-age=\d+/, `${route} opts out`);
      else assert.match(header, /\bno-store\b/, `${route} (${page.status} ${page.headers.get('content-type')}) sends Cache-Control: ${header || '(none)'}`);
    }
  });

  it("pages no route declares (Denglu's 404, oidc-provider's pages and errors) are no-store too", async () => {
    for (const path of [
      '/no-such-page',
      '/account/nope',
      '/session/end',
      '/auth?client_id=alpha-basic',
      '/auth?client_id=nobody&response_type=code&scope=openid',
      '/admin/nope',
    ]) {
      const page = await once(shopper, `${gw.issuer}${path}`);
      assert.match(page.headers.get('cache-control') ?? '', /\bno-store\b/, `${path} (${page.status})`);
    }
    const css = await shopper.go(`${gw.issuer}/static/denglu.css`);
    assert.ok(!/no-store/.test(css.headers.get('cache-control') ?? ''), 'static files stay cacheable');
    const jwks = await fetch(`${gw.issuer}/jwks`);
    assert.ok(!/no-store/.test(jwks.headers.get('cache-control') ?? ''), 'the JWKS stays cacheable');
  });
});
