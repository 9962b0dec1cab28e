// End to end: the kinds of client a shop can register. PKCE stays required by default; a confidential
// client registered "nonce instead of PKCE" (for passport-openidconnect, which cannot send PKCE) may
// omit PKCE but must then send a nonce, which comes back in the ID token; a public client (a shop's
// single-page or mobile app, `token_endpoint_auth_method: none`) has no secret and always needs PKCE —
// it can never be registered as "nonce instead of PKCE", and a stored one that says so is ignored. A
// shop on passport-openidconnect (the library itself) signs in through such a client. A pushed
// authorization request (plain parameters) works like a front-channel one.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, redeem, gatewayPerSuite, type TestShop } from '../support/gateway.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { createRequire } from 'node:module';

/** passport-openidconnect (no type definitions): the strategy class and what a run of it ends in. */
type PassportOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: { iss: string; sub: string; name?: string } }
  | { kind: 'fail' | 'error'; reason: unknown };
const OpenIDConnectStrategy = createRequire(import.meta.url)('passport-openidconnect') as new (
  options: Record<string, unknown>,
  verify: (...args: any[]) => void,
) => object;

const shopUri = (id: string) => `https://${id}.shop.test/cb`;

/** Alpha (first-party) gets three more clients: nonce-instead, public, and a public one stored with the flag. */
function withClientKinds(seeds: PartnerSeed[]): PartnerSeed[] {
  return seeds.map((p) =>
    p.id !== 'alpha'
      ? p
      : {
          ...p,
          clients: [
            ...p.clients,
            {
              client_id: 'alpha-nonce',
              client_secret: 'alpha-nonce-secret-0123456789abcdef',
              redirect_uris: [shopUri('alpha-nonce')],
              token_endpoint_auth_method: 'client_secret_basic',
              nonce_instead_of_pkce: true,
            },
            {
              client_id: 'alpha-passport',
              client_secret: 'alpha-passport-secret-0123456789abcdef',
              redirect_uris: [shopUri('alpha-passport')],
              token_endpoint_auth_method: 'client_secret_post',
              nonce_instead_of_pkce: true,
            },
            { client_id: 'alpha-spa', redirect_uris: [shopUri('alpha-spa')], token_endpoint_auth_method: 'none' },
            { client_id: 'alpha-spa-flagged', redirect_uris: [shopUri('alpha-spa-flagged')], token_endpoint_auth_method: 'none', nonce_instead_of_pkce: true },
          ],
        },
  );
}

describe('e2e: client kinds (PKCE, nonce instead of PKCE, public clients)', function () {
  const suite = gatewayPerSuite({ partners: withClientKinds });
  let n = 0;

  /** An authorization request built by hand, so PKCE and nonce can each be left out. */
  function request(shop: TestShop, params: Record<string, string>) {
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(shop.config, { redirect_uri: shop.redirectUri, scope: 'openid profile', state, provider: 'weibo', ...params });
    return { url, state };
  }

  /** Where the authorization request ends: an error redirect's query, or the callback after signing in. */
  async function outcome(shop: TestShop, url: URL): Promise<URL> {
    const browser = new TestBrowser();
    let page = await browser.go(url, { stopAt: atShop(shop) });
    page = await approveAtProvider(browser, page, `client-${++n}`, shop);
    assert.equal(page.status, 0, `back at the shop (got ${page.status} ${page.url.href})`);
    return page.url;
  }

  function assertRefused(callback: URL, state: string, pattern: RegExp): void {
    assert.equal(callback.searchParams.get('error'), 'invalid_request', callback.href);
    assert.match(callback.searchParams.get('error_description') ?? '', pattern);
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('code'), null);
  }

  describe('nonce instead of PKCE (confidential clients only)', () => {
    it('such a client without PKCE and without nonce is refused', async () => {
      const shop = suite.gw.shops['alpha-nonce']!;
      const { url, state } = request(shop, {});
      assertRefused(await outcome(shop, url), state, /nonce/);
    });

    it('with a nonce and no PKCE it signs in, and the ID token carries the nonce', async () => {
      const shop = suite.gw.shops['alpha-nonce']!;
      const nonce = oidc.randomNonce();
      const { url, state } = request(shop, { nonce });
      const callback = await outcome(shop, url);
      assert.ok(callback.searchParams.get('code'), callback.href);
      const tokens = await oidc.authorizationCodeGrant(shop.config, callback, { expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      assert.equal(tokens.claims()!.nonce, nonce);
    });

    it('a normal confidential client without PKCE is still refused, nonce or not', async () => {
      const shop = suite.gw.shops['alpha-basic']!;
      const { url, state } = request(shop, { nonce: oidc.randomNonce() });
      assertRefused(await outcome(shop, url), state, /PKCE/);
    });

    it('a public client stored as "nonce instead of PKCE" still needs PKCE', async () => {
      const shop = suite.gw.shops['alpha-spa-flagged']!;
      const { url, state } = request(shop, { nonce: oidc.randomNonce() });
      assertRefused(await outcome(shop, url), state, /PKCE/);
    });

    it('the admin API refuses to register a public client as "nonce instead of PKCE", and registers a confidential one', async () => {
      const op = client(suite.gw, OPERATOR);
      const before = (await suite.gw.store.get<{ clients: unknown[] }>('partners', 'beta'))!.clients.length;
      const refused = await op.post('/partners/beta/clients', {
        redirect_uris: ['https://beta-spa.shop.test/cb'],
        token_endpoint_auth_method: 'none',
        nonce_instead_of_pkce: true,
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.ok(
        refused.body.problems.some((p: { field: string }) => p.field === 'nonce_instead_of_pkce'),
        JSON.stringify(refused.body.problems),
      );
      assert.equal((await suite.gw.store.get<{ clients: unknown[] }>('partners', 'beta'))!.clients.length, before, 'nothing registered');
      const wrongType = await op.post('/partners/beta/clients', { redirect_uris: ['https://beta-x.shop.test/cb'], nonce_instead_of_pkce: 'yes' });
      assert.equal(wrongType.status, 400);
      const created = await op.post('/partners/beta/clients', { redirect_uris: ['https://beta-legacy.shop.test/cb'], nonce_instead_of_pkce: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.nonce_instead_of_pkce, true);
      assert.ok(created.body.client_secret, 'a confidential client: a secret');
    });
  });

  describe('a shop on passport-openidconnect (which cannot send PKCE)', () => {
    /** The shop's strategy, as its README configures it, with `nonce: true`; verify(issuer, profile, done). */
    function strategyFor(clientId: string, secret: string) {
      const issuer = suite.gw.issuer;
      return new OpenIDConnectStrategy(
        {
          issuer,
          authorizationURL: `${issuer}/auth`,
          tokenURL: `${issuer}/token`,
          userInfoURL: `${issuer}/me`,
          clientID: clientId,
          clientSecret: secret,
          callbackURL: shopUri(clientId),
          scope: 'profile',
          nonce: true,
        },
        (iss: string, profile: { id: string; displayName?: string }, done: (err: unknown, user: unknown) => void) =>
          done(null, { iss, sub: profile.id, name: profile.displayName }),
      );
    }

    /** One pass through the strategy, as passport.authenticate would run it, with the shop's session. */
    function run(strategy: object, req: Record<string, unknown>): Promise<PassportOutcome> {
      return new Promise((resolve) => {
        const s = Object.create(strategy);
        s.redirect = (url: string) => resolve({ kind: 'redirect', url });
        s.success = (user: { iss: string; sub: string }) => resolve({ kind: 'success', user });
        s.fail = (reason: unknown) => resolve({ kind: 'fail', reason });
        s.error = (reason: unknown) => resolve({ kind: 'error', reason });
        s.authenticate(req, {});
      });
    }

    async function signIn(clientId: string, secret: string): Promise<{ start: URL; end: PassportOutcome }> {
      const strategy = strategyFor(clientId, secret);
      const session = {};
      const started = await run(strategy, { query: {}, session });
      assert.equal(started.kind, 'redirect');
      const start = new URL((started as { url: string }).url);
      const callback = await outcome(suite.gw.shops[clientId]!, new URL(`${start.href}&provider=weibo`));
      return { start, end: await run(strategy, { query: Object.fromEntries(callback.searchParams), session }) };
    }

    it('registered "nonce instead of PKCE": the shop signs the shopper in (nonce sent and checked, no PKCE)', async () => {
      const { start, end } = await signIn('alpha-passport', 'alpha-passport-secret-0123456789abcdef');
      assert.equal(start.searchParams.get('code_challenge'), null, 'the library sends no PKCE');
      assert.ok(start.searchParams.get('nonce'), 'it sends a nonce');
      assert.equal(end.kind, 'success', JSON.stringify(end));
      const user = (end as { user: { iss: string; sub: string; name?: string } }).user;
      assert.equal(user.iss, suite.gw.issuer);
      assert.ok(user.sub);
      assert.match(user.name ?? '', /^client-/, `the profile from userinfo: ${JSON.stringify(user)}`);
    });

    it('an ordinary client: the same library is refused (PKCE required)', async () => {
      const { end } = await signIn('alpha-post', 'alpha-post-secret-0123456789abcdef');
      assert.equal(end.kind, 'error', JSON.stringify(end));
      assert.equal((end as { reason: { code?: string } }).reason.code, 'invalid_request', 'the library reports the refusal');
    });
  });

  describe('public clients (token_endpoint_auth_method none)', () => {
    it('sign in with PKCE and redeem the code without any secret', async () => {
      const shop = suite.gw.shops['alpha-spa']!;
      const req = await authRequest(shop, { provider: 'weibo' });
      const callback = await outcome(shop, req.url);
      const tokens = await redeem(shop, callback, req);
      assert.ok(tokens.access_token && tokens.claims()!.sub);
    });

    it('the app redeems its code from its page: /token answers its own origin (CORS) and refuses any other', async () => {
      const shop = suite.gw.shops['alpha-spa']!;
      const redeemFrom = async (origin: string) => {
        const req = await authRequest(shop, { provider: 'weibo' });
        const callback = await outcome(shop, req.url);
        return fetch(`${suite.gw.issuer}/token`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: 'alpha-spa',
            code: callback.searchParams.get('code')!,
            redirect_uri: shop.redirectUri,
            code_verifier: req.verifier,
          }),
        });
      };
      const own = await redeemFrom('https://alpha-spa.shop.test');
      assert.equal(own.status, 200, JSON.stringify(await own.clone().json()));
      assert.equal(own.headers.get('access-control-allow-origin'), 'https://alpha-spa.shop.test');
      const foreign = await redeemFrom('https://evil.example');
      assert.equal(foreign.status, 400);
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      const confidential = await fetch(`${suite.gw.issuer}/token`, {
        method: 'POST',
        headers: {
          origin: 'https://alpha-basic.shop.test',
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('alpha-basic:alpha-basic-secret-0123456789abcdef').toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          redirect_uri: 'https://alpha-basic.shop.test/cb',
          code_verifier: oidc.randomPKCECodeVerifier(),
        }),
      });
      assert.equal(confidential.headers.get('access-control-allow-origin'), null, "a confidential client's secret never goes through a browser");
    });

    it('without PKCE the request is refused', async () => {
      const shop = suite.gw.shops['alpha-spa']!;
      const { url, state } = request(shop, { nonce: oidc.randomNonce() });
      assertRefused(await outcome(shop, url), state, /PKCE/);
    });

    it('a public client cannot authenticate with a secret it does not have, nor pass for a confidential one', async () => {
      const res = await fetch(`${suite.gw.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('alpha-spa:guess').toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'x',
          redirect_uri: shopUri('alpha-spa'),
          code_verifier: oidc.randomPKCECodeVerifier(),
        }),
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error, 'invalid_client');
    });

    it('the admin API registers a public client without a secret; discovery lists "none"', async () => {
      const created = await client(suite.gw, OPERATOR).post('/partners/beta/clients', {
        redirect_uris: ['https://beta-app.shop.test/cb'],
        token_endpoint_auth_method: 'none',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.token_endpoint_auth_method, 'none');
      assert.equal(created.body.client_secret, undefined);
      const discovery = await (await fetch(`${suite.gw.issuer}/.well-known/openid-configuration`)).json();
      assert.ok(discovery.token_endpoint_auth_methods_supported.includes('none'));
    });
  });

  it('a pushed authorization request (RFC 9126) signs in like a front-channel one', async () => {
    const shop = suite.gw.shops['alpha-basic']!;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(shop.config, {
      redirect_uri: shop.redirectUri,
      scope: 'openid',
      state,
      provider: 'weibo',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    assert.ok(url.searchParams.get('request_uri'), 'the authorization URL names the pushed request');
    assert.equal(url.searchParams.get('state'), null, 'the parameters stayed in the back channel');
    const callback = await outcome(shop, url);
    const tokens = await oidc.authorizationCodeGrant(shop.config, callback, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    assert.ok(tokens.claims()!.sub);
  });
});
