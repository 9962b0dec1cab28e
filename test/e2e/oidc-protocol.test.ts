// End to end, over real HTTP: Denglu as OpenID Provider keeps the protocol rules of security.md D1–D8 —
// single-use codes bound to client, redirect_uri and PKCE verifier; exact redirect_uri matching with
// Denglu's own error page; PKCE S256 for every client; refresh-token rotation with reuse detection;
// userinfo; RP-initiated logout; `iss` on every redirect; 303 not 307; security headers; no CORS on /auth.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, startGateway, type AuthRequest, type Gateway, type TestShop } from '../support/gateway.ts';
import { rejectionGuard } from './e2e-checks.ts';

const SECRETS: Record<string, string> = {
  'alpha-basic': 'alpha-basic-secret-0123456789abcdef',
  'alpha-post': 'alpha-post-secret-0123456789abcdef',
  'beta-basic': 'beta-basic-secret-0123456789abcdef',
  'gamma-basic': 'gamma-basic-secret-0123456789abcdef',
};

interface TokenAnswer {
  status: number;
  body: Record<string, any>;
}

describe('e2e: Denglu as OpenID Provider (protocol rules)', function () {
  let gw: Gateway;
  let tokenEndpoint: string;
  let userinfoEndpoint: string;
  let endSessionEndpoint: string;
  const guard = rejectionGuard();
  let n = 0;
  const fresh = () => `proto-${++n}`;

  before(async () => {
    guard.install();
    gw = await startGateway();
    const discovery = await (await fetch(`${gw.issuer}/.well-known/openid-configuration`)).json();
    tokenEndpoint = discovery.token_endpoint;
    userinfoEndpoint = discovery.userinfo_endpoint;
    endSessionEndpoint = discovery.end_session_endpoint;
    assert.ok(tokenEndpoint && userinfoEndpoint && endSessionEndpoint);
  });
  after(async () => {
    guard.uninstall();
    await gw.close();
  });
  afterEach(() => guard.check());

  /** A raw token request with client_secret_basic, so the exact error code can be asserted. */
  async function token(clientId: string, params: Record<string, string>): Promise<TokenAnswer> {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(SECRETS[clientId]!)}`).toString('base64');
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(params),
    });
    return { status: res.status, body: await res.json() };
  }

  const codeGrant = (shop: TestShop, code: string, request: AuthRequest, overrides: Record<string, string> = {}) =>
    token(shop.clientId, { grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri, code_verifier: request.verifier, ...overrides });

  const userinfo = (accessToken: string) => fetch(userinfoEndpoint, { headers: { authorization: `Bearer ${accessToken}` } });

  /** A brokered login up to the shop's callback, without redeeming the code. */
  async function codeFor(clientId: string, params: Record<string, string> = {}, browser = new TestBrowser()) {
    const shop = gw.shops[clientId]!;
    const request = await authRequest(shop, { provider: 'weibo', ...params });
    let page = await browser.go(request.url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, fresh(), shop);
    if (page.status === 200 && page.html.includes('/consent')) page = await browser.submit(page, {}, '/consent', atShop(shop));
    assert.equal(page.status, 0, `back at the shop (got ${page.status} ${page.url.href})`);
    const code = page.url.searchParams.get('code');
    assert.ok(code, 'a code');
    assert.equal(page.url.searchParams.get('iss'), gw.issuer, 'iss in the success redirect');
    assert.equal(page.url.searchParams.get('state'), request.state);
    return { browser, shop, request, callback: page.url, code };
  }

  function assertInvalidGrant(answer: TokenAnswer, what: string): void {
    assert.equal(answer.status, 400, `${what}: 400 (${JSON.stringify(answer.body)})`);
    assert.equal(answer.body.error, 'invalid_grant', what);
    assert.equal(answer.body.access_token, undefined);
  }

  /** Denglu's own error page: HTML, 400, no Location, the request id shown. */
  function assertOwnErrorPage(res: Response, html: string, what: string): void {
    assert.equal(res.status, 400, `${what}: 400`);
    assert.equal(res.headers.get('location'), null, `${what}: no Location`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, what);
    assert.match(html, /<h1>(Sign-in did not complete|登录没有完成)<\/h1>/, `${what}: Denglu's page`);
    assert.ok(html.includes(res.headers.get('x-request-id')!), `${what}: request id on the page`);
    assert.doesNotMatch(html, /<script|node_modules|\bat \S+ \(/, `${what}: no script, no stack`);
    assert.doesNotMatch(html, /[?&]code=/, `${what}: no code anywhere`);
  }

  /** An authorization request with a valid client but something else wrong: the shop gets the error, its state and iss. */
  async function errorRedirect(shop: TestShop, url: URL, state: string): Promise<URLSearchParams> {
    const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.ok(res.status === 303 || res.status === 302, `an error redirect, got ${res.status}`);
    const location = new URL(res.headers.get('location')!);
    assert.ok(location.href.startsWith(shop.redirectUri + '?'), `to the registered redirect_uri, got ${location.href}`);
    const q = location.searchParams;
    assert.equal(q.get('state'), state);
    assert.equal(q.get('iss'), gw.issuer);
    assert.equal(q.get('code'), null);
    return q;
  }

  // ---- D3: authorization code ---------------------------------------------------------------
  describe('authorization code (D3)', () => {
    it('works once: the second redemption is invalid_grant and the first tokens are revoked', async () => {
      const { shop, request, code } = await codeFor('alpha-basic');
      const first = await codeGrant(shop, code, request);
      assert.equal(first.status, 200);
      assert.ok(first.body.access_token && first.body.id_token);
      assert.equal((await userinfo(first.body.access_token)).status, 200, 'the first access token works');
      assertInvalidGrant(await codeGrant(shop, code, request), 'second redemption');
      // oidc-provider revokes the grant on code reuse (RFC 6749 §4.1.2 SHOULD): the first token is dead.
      const after = await userinfo(first.body.access_token);
      assert.equal(after.status, 401, 'the first access token is revoked');
    });

    it('10 parallel redemptions: exactly one success', async () => {
      const { shop, request, code } = await codeFor('alpha-basic');
      const answers = await Promise.all(Array.from({ length: 10 }, () => codeGrant(shop, code, request)));
      const ok = answers.filter((a) => a.status === 200);
      assert.equal(ok.length, 1, `one success, got ${answers.map((a) => a.status).join(',')}`);
      for (const a of answers.filter((x) => x.status !== 200)) assertInvalidGrant(a, 'parallel redemption');
    });

    it('is bound to the redirect_uri of the request, and to the client', async () => {
      const { shop, request, code } = await codeFor('alpha-basic');
      for (const redirect_uri of [
        `${shop.redirectUri}/`,
        `${shop.redirectUri}?x=1`,
        shop.redirectUri.replace('https:', 'http:'),
        'https://beta-basic.shop.test/cb',
      ]) {
        assertInvalidGrant(await codeGrant(shop, code, request, { redirect_uri }), `redirect_uri ${redirect_uri}`);
      }
      const beta = gw.shops['beta-basic']!;
      assertInvalidGrant(
        await token('beta-basic', { grant_type: 'authorization_code', code, redirect_uri: beta.redirectUri, code_verifier: request.verifier }),
        'another client',
      );
      // oidc-provider checks redirect_uri and client before consuming the code, so the rightful redemption still works.
      assert.equal((await codeGrant(shop, code, request)).status, 200);
    });

    it('is bound to the PKCE verifier: a wrong or missing code_verifier is invalid_grant', async () => {
      const { shop, request, code } = await codeFor('alpha-basic');
      assertInvalidGrant(await codeGrant(shop, code, request, { code_verifier: oidc.randomPKCECodeVerifier() }), 'wrong verifier');
      // oidc-provider answers a missing verifier with invalid_grant too ("PKCE verification failed").
      assertInvalidGrant(await token(shop.clientId, { grant_type: 'authorization_code', code, redirect_uri: shop.redirectUri }), 'missing verifier');
    });
  });

  // ---- D1/D2: redirect_uri at /auth -------------------------------------------------------------
  describe('redirect_uri matching (D1, D2)', () => {
    const variants = (registered: string): [string, string][] => [
      ['trailing slash', `${registered}/`],
      ['extra query', `${registered}?next=/account`],
      ['code appended', `${registered}?code=abc&state=xyz`],
      ['fragment', `${registered}#frag`],
      ['http:', registered.replace('https:', 'http:')],
      ['other host', registered.replace('alpha-basic.shop.test', 'evil.example')],
      ['suffix host', registered.replace('alpha-basic.shop.test', 'alpha-basic.shop.test.evil.example')],
      ['userinfo trick', registered.replace('https://', 'https://alpha-basic.shop.test@evil.example/').replace('/alpha-basic.shop.test/cb', '/cb')],
      ['upper-case host', registered.replace('alpha-basic', 'ALPHA-BASIC')],
      ['dot segments', registered.replace('/cb', '/cb/../x')],
      ['encoded dot segments', registered.replace('/cb', '/cb/%2e%2e/x')],
      ["another client's uri", 'https://beta-basic.shop.test/cb'],
    ];

    for (const [name, redirect_uri] of variants('https://alpha-basic.shop.test/cb')) {
      it(`${name} (${redirect_uri}): Denglu's own error page, 400, no Location`, async () => {
        const shop = gw.shops['alpha-basic']!;
        const { url } = await authRequest(shop, { redirect_uri });
        const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html', 'accept-language': 'en' } });
        const html = await res.text();
        assertOwnErrorPage(res, html, name);
        assert.match(html, /redirect_uri/, 'names the problem');
      });
    }

    it("an unknown client_id: Denglu's own error page, no redirect", async () => {
      const url = new URL(`${gw.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: 'nosuch',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://evil.example/cb',
        state: 's',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }).toString();
      const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
      assertOwnErrorPage(res, await res.text(), 'unknown client');
    });

    it('a valid client with a bad scope: an error redirect carrying state and iss', async () => {
      const shop = gw.shops['alpha-basic']!;
      const { url, state } = await authRequest(shop, { scope: 'openid "bad' });
      const q = await errorRedirect(shop, url, state);
      assert.equal(q.get('error'), 'invalid_scope');
    });

    it('prompt=none without a session: login_required with state and iss', async () => {
      const shop = gw.shops['beta-basic']!;
      const { url, state } = await authRequest(shop, { prompt: 'none' });
      const q = await errorRedirect(shop, url, state);
      assert.equal(q.get('error'), 'login_required');
    });
  });

  // ---- D4: PKCE -----------------------------------------------------------------------------
  describe('PKCE (D4)', () => {
    for (const clientId of ['alpha-basic', 'alpha-post', 'alpha-jwt', 'beta-basic', 'gamma-basic']) {
      it(`${clientId}: an authorization request without code_challenge is refused with invalid_request`, async () => {
        const shop = gw.shops[clientId]!;
        const state = oidc.randomState();
        const url = oidc.buildAuthorizationUrl(shop.config, { redirect_uri: shop.redirectUri, scope: 'openid', state, provider: 'weibo' });
        const q = await errorRedirect(shop, url, state);
        assert.equal(q.get('error'), 'invalid_request');
        assert.match(q.get('error_description') ?? '', /code_challenge|PKCE/i);
      });
    }

    it('code_challenge_method=plain is refused', async () => {
      const shop = gw.shops['alpha-basic']!;
      const verifier = oidc.randomPKCECodeVerifier();
      const { url, state } = await authRequest(shop, { code_challenge: verifier, code_challenge_method: 'plain' });
      const q = await errorRedirect(shop, url, state);
      assert.equal(q.get('error'), 'invalid_request');
      assert.match(q.get('error_description') ?? '', /code_challenge_method/);
    });
  });

  // ---- D6: refresh tokens -----------------------------------------------------------------------
  describe('refresh tokens (D6)', () => {
    it('offline_access with prompt=consent on a first-party shop: a refresh token, no consent page', async () => {
      const { shop, request, code, browser } = await codeFor('alpha-basic', { scope: 'openid profile offline_access', prompt: 'consent' });
      const pages = browser.history.filter((h) => h.url.startsWith(gw.issuer) && h.status === 200);
      assert.deepEqual(pages, [], 'no Denglu page on the way (no chooser, no consent page)');
      assert.ok(!browser.history.some((h) => h.url.includes('/consent')), 'no consent request');
      const answer = await codeGrant(shop, code, request);
      assert.equal(answer.status, 200);
      assert.ok(answer.body.refresh_token, 'a refresh token');
      assert.match(answer.body.scope, /offline_access/);
    });

    it('without offline_access: no refresh token', async () => {
      const { shop, request, code } = await codeFor('alpha-basic', { scope: 'openid profile' });
      const answer = await codeGrant(shop, code, request);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.refresh_token, undefined);
    });

    it('rotates (RT1 → RT2); replaying RT1 is invalid_grant and revokes the grant, so RT2 dies too', async () => {
      const { shop, request, code } = await codeFor('alpha-basic', { scope: 'openid offline_access', prompt: 'consent' });
      const first = await codeGrant(shop, code, request);
      const rt1 = first.body.refresh_token as string;
      assert.ok(rt1);
      const second = await token('alpha-basic', { grant_type: 'refresh_token', refresh_token: rt1 });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      const rt2 = second.body.refresh_token as string;
      assert.ok(rt2 && rt2 !== rt1, 'a new refresh token');
      assert.equal((await userinfo(second.body.access_token)).status, 200);
      assertInvalidGrant(await token('alpha-basic', { grant_type: 'refresh_token', refresh_token: rt1 }), 'RT1 replay');
      assertInvalidGrant(await token('alpha-basic', { grant_type: 'refresh_token', refresh_token: rt2 }), 'RT2 after the replay');
      assert.equal((await userinfo(second.body.access_token)).status, 401, 'the access token of the grant is revoked too');
    });

    it('a refresh token presented by another client is invalid_grant', async () => {
      const { shop, request, code } = await codeFor('alpha-basic', { scope: 'openid offline_access', prompt: 'consent' });
      const rt = (await codeGrant(shop, code, request)).body.refresh_token as string;
      assertInvalidGrant(await token('beta-basic', { grant_type: 'refresh_token', refresh_token: rt }), 'another client');
    });
  });

  // ---- D5: userinfo and iss -----------------------------------------------------------------
  describe('userinfo and iss (D5)', () => {
    it('userinfo returns sub, name and picture for a profile token', async () => {
      const login = fresh();
      const { tokens, claims, callback } = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', login);
      assert.equal(callback.searchParams.get('iss'), gw.issuer, 'iss in the success redirect');
      const info = await oidc.fetchUserInfo(gw.shops['alpha-basic']!.config, tokens.access_token, claims.sub);
      assert.equal(info.sub, claims.sub);
      assert.equal(info.name, login);
      assert.match(String(info.picture), /^https?:\/\/.+/);
      const raw = await userinfo(tokens.access_token);
      assert.equal(raw.status, 200);
      assert.deepEqual(
        Object.keys(await raw.json())
          .sort()
          .filter((k) => ['sub', 'name', 'picture'].includes(k)),
        ['name', 'picture', 'sub'],
      );
    });

    it('an openid-only token gets sub but no profile claims', async () => {
      const { shop, request, callback } = await codeFor('alpha-basic', { scope: 'openid' });
      const tokens = await redeem(shop, callback, request);
      const raw = await (await userinfo(tokens.access_token)).json();
      assert.equal(raw.sub, tokens.claims()!.sub);
      assert.equal(raw.name, undefined);
      assert.equal(raw.picture, undefined);
    });

    it('a garbage bearer token gets 401 at userinfo', async () => {
      assert.equal((await userinfo('not-a-token')).status, 401);
    });
  });

  // ---- RP-initiated logout ------------------------------------------------------------------
  describe('RP-initiated logout', () => {
    async function signedIn(browser: TestBrowser) {
      const shop = gw.shops['alpha-basic']!;
      const { tokens } = await loginWith(gw, browser, 'alpha-basic', 'weibo', fresh());
      // Signed in: a new authorization request goes straight back to the shop.
      const again = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
      assert.equal(again.status, 0, 'a session exists');
      return { shop, idToken: tokens.id_token! };
    }

    for (const [lang, setup] of [
      ['en', { accept: 'en-US,en;q=0.9', ui: undefined, question: 'Sign out?', done: 'You are signed out.' }],
      ['zh-CN', { accept: 'en-US,en;q=0.9', ui: 'zh-CN', question: '要退出登录吗？', done: '您已经退出登录。' }],
    ] as const) {
      it(`asks in the shopper's language (${lang}), then lands on post_logout_redirect_uri, and the next /auth needs a login`, async () => {
        const browser = new TestBrowser();
        browser.acceptLanguage = setup.accept;
        const { shop, idToken } = await signedIn(browser);
        const url = new URL(endSessionEndpoint);
        url.search = new URLSearchParams({
          id_token_hint: idToken,
          post_logout_redirect_uri: 'https://alpha-basic.shop.test/',
          state: 'bye-1',
          ...(setup.ui ? { ui_locales: setup.ui } : {}),
        }).toString();
        const confirm = await browser.go(url, { stopAt: (u) => u.host === 'alpha-basic.shop.test' });
        assert.equal(confirm.status, 200);
        assert.ok(confirm.html.includes(`<html lang="${lang}">`));
        assert.ok(confirm.html.includes(setup.question), 'the logout question');
        assertSecurityHeaders(confirm, 'logout page');
        const landed = await browser.submit(confirm, { logout: 'yes' }, undefined, (u) => u.host === 'alpha-basic.shop.test');
        assert.equal(landed.status, 0, `at the shop (got ${landed.status} ${landed.url.href})`);
        assert.equal(landed.url.origin + landed.url.pathname, 'https://alpha-basic.shop.test/');
        assert.equal(landed.url.searchParams.get('state'), 'bye-1');
        assert.ok(
          landed.hops.every((h) => h.status !== 307 && h.status !== 308),
          'no 307 after the POST',
        );
        // Signed out: the next authorization request shows the chooser again.
        const next = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
        assert.equal(next.status, 200, 'a login is needed again');
        assert.match(next.html, /data-provider="weibo"/);
      });
    }

    it("an unregistered post_logout_redirect_uri is refused with Denglu's page and no redirect", async () => {
      const browser = new TestBrowser();
      const { idToken } = await signedIn(browser);
      for (const uri of ['https://evil.example/', 'https://alpha-basic.shop.test/other', 'https://beta-basic.shop.test/']) {
        const url = new URL(endSessionEndpoint);
        url.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: uri }).toString();
        const res = await browser.request('GET', url);
        assertOwnErrorPage(res, await res.text(), `post_logout_redirect_uri ${uri}`);
      }
    });
  });

  // ---- D8 and headers --------------------------------------------------------------------------
  function assertSecurityHeaders(page: { headers: Headers }, what: string): void {
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors 'none'`);
    assert.match(csp, /script-src 'self'/, `${what}: CSP script-src`);
    assert.equal(page.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  }

  describe('redirect status, headers and CORS (D8)', () => {
    it('interaction POSTs (consent, back to shop) answer 303, never 307', async () => {
      const browser = new TestBrowser();
      const gamma = gw.shops['gamma-basic']!;
      const request = await authRequest(gamma, { provider: 'qq' });
      let page = await browser.go(request.url, { stopAt: atShop(gamma) });
      page = await approveAtProvider(browser, page, fresh(), gamma);
      assert.match(page.html, /\/consent"/, 'the consent page');
      const consented = await browser.submit(page, {}, '/consent', atShop(gamma));
      assert.equal(consented.status, 0);
      assert.equal(consented.hops[0]!.method, 'POST');
      assert.equal(consented.hops[0]!.status, 303);
      await redeem(gamma, consented.url, request);

      const chooserBrowser = new TestBrowser();
      const second = await authRequest(gw.shops['beta-basic']!);
      const chooser = await chooserBrowser.go(second.url, { stopAt: atShop(gw.shops['beta-basic']!) });
      const aborted = await chooserBrowser.submit(chooser, {}, '/abort', atShop(gw.shops['beta-basic']!));
      assert.equal(aborted.hops[0]!.method, 'POST');
      assert.equal(aborted.hops[0]!.status, 303);
      const every = [...browser.history, ...chooserBrowser.history];
      assert.ok(every.length > 5);
      for (const hop of every) assert.ok(hop.status !== 307 && hop.status !== 308, `${hop.method} ${hop.url} answered ${hop.status}`);
    });

    it('the chooser, the consent page and error pages carry the security headers', async () => {
      const browser = new TestBrowser();
      const beta = gw.shops['beta-basic']!;
      const chooser = await browser.go((await authRequest(beta)).url, { stopAt: atShop(beta) });
      assert.match(chooser.html, /data-provider=/);
      assertSecurityHeaders(chooser, 'chooser');

      const gamma = gw.shops['gamma-basic']!;
      const gb = new TestBrowser();
      let consent = await gb.go((await authRequest(gamma, { provider: 'weibo' })).url, { stopAt: atShop(gamma) });
      consent = await approveAtProvider(gb, consent, fresh(), gamma);
      assert.match(consent.html, /\/consent"/);
      assertSecurityHeaders(consent, 'consent page');

      const failure = await new TestBrowser().go(`${gw.issuer}/cb/weibo?state=nosuch&code=x`);
      assert.equal(failure.status, 403);
      assertSecurityHeaders(failure, 'broker failure page');

      const { url } = await authRequest(gw.shops['alpha-basic']!, { redirect_uri: 'https://evil.example/cb' });
      const oidcError = await new TestBrowser().go(url);
      assert.equal(oidcError.status, 400);
      assertSecurityHeaders(oidcError, 'oidc-provider error page');

      const notFound = await new TestBrowser().go(`${gw.issuer}/no/such/page`);
      assert.equal(notFound.status, 404);
      assertSecurityHeaders(notFound, '404 page');
    });

    it('no CORS on /auth for a foreign origin', async () => {
      const { url } = await authRequest(gw.shops['alpha-basic']!);
      const res = await fetch(url, { redirect: 'manual', headers: { origin: 'https://evil.example' } });
      assert.ok(res.status >= 200 && res.status < 400);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    });
  });

  it("the shop sees Denglu's tokens through openid-client end to end (sanity for the raw calls above)", async () => {
    const { shop, request, callback } = await codeFor('alpha-basic');
    const tokens = await redeem(shop, callback, request);
    assert.equal(tokens.claims()!.iss, gw.issuer);
  });
});
