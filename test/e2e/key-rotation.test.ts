// Signing key rotation on a running gateway, seen from shops. The next key is in the JWKS before it
// signs; after a rotation the same gateway (no restart) signs with it, a sign-in already under way
// finishes, a session from before still signs in, tokens signed before still verify until they have
// expired, and then the old key is gone.
// Continuous logins at a shop that caches the JWKS and refetches on an unknown `kid` (jose's
// createRemoteJWKSet) see no verification failure across two rotations; a forced back-to-back rotation
// shows the failure the publish lead prevents.

import assert from 'node:assert/strict';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, authRequest, atShop, loginWith, redeem, startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
const jwksOf = async (gw: Gateway) => (await (await fetch(`${gw.issuer}/jwks`)).json()) as JSONWebKeySet;
const kidsOf = (jwks: JSONWebKeySet) => jwks.keys.map((k) => k.kid);

describe('e2e: signing key rotation', function () {
  this.timeout(60_000);

  describe('stages, on a manual clock', () => {
    let gw: Gateway;
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    before(async () => {
      gw = await startGateway({ clock });
    });
    after(async () => {
      await gw.close();
    });

    it('publishes the next key without signing with it, switches without a restart, keeps the old key until its tokens expire', async () => {
      const op = client(gw, OPERATOR);
      const keys = (await op.get('/keys')).body.keys;
      const current = keys.find((k: any) => k.stage === 'current');
      const next = keys.find((k: any) => k.stage === 'next');
      assert.deepEqual(kidsOf(await jwksOf(gw)), [current.kid, next.kid], 'the next key is published');
      const earlier = new TestBrowser();
      const before = await loginWith(gw, earlier, 'alpha-basic', 'weibo', 'rotation-user');
      assert.equal(kidOf(before.tokens.id_token!), current.kid, 'the current key signs, not the next');

      // A sign-in under way (at the provider's page) when the keys rotate.
      clock.advance(gw.config.keys.publishLeadSeconds * 1000);
      const browser = new TestBrowser();
      const shop = gw.shops['alpha-basic']!;
      const request = await authRequest(shop, { provider: 'weibo' });
      const atProvider = await browser.go(request.url, { stopAt: atShop(shop) });
      assert.equal(atProvider.status, 200, 'waiting at the provider');

      const provider = gw.denglu.oidc;
      const rotated = await op.post('/keys/rotate', {});
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.notEqual(gw.denglu.oidc, provider, 'a new Provider serves new requests');
      assert.equal(gw.denglu.oidc.proxy, true, 'built like the first one (it believes the trusted proxies too)');

      const back = await approveAtProvider(browser, atProvider, 'rotation-user', shop);
      assert.equal(back.status, 0, 'the sign-in under way finished at the shop');
      const during = await redeem(shop, back.url, request);
      assert.equal(kidOf(during.id_token!), next.kid, 'signed with the former next key, no restart');
      assert.equal(during.claims()!.sub, before.claims.sub);

      // The session from before the rotation still signs the shopper in (single sign-on, no provider page).
      const again = await authRequest(shop);
      const sso = await earlier.go(again.url, { stopAt: atShop(shop) });
      assert.equal(sso.status, 0, 'straight back to the shop');
      const ssoTokens = await redeem(shop, sso.url, again);
      assert.equal(ssoTokens.claims()!.sub, before.claims.sub);
      assert.equal(kidOf(ssoTokens.id_token!), next.kid);

      const jwks = await jwksOf(gw);
      assert.equal(jwks.keys.length, 3, 'current, a new next, and the previous key');
      for (const token of [before.tokens.id_token!, during.id_token!]) {
        await jwtVerify(token, createLocalJWKSet(jwks), { issuer: gw.issuer, audience: 'alpha-basic', currentDate: new Date(clock.now()) });
      }

      clock.advance(3600 * 1000 - 1);
      await gw.denglu.signingKeys.maintain();
      assert.ok(kidsOf(await jwksOf(gw)).includes(current.kid), 'kept while a token it signed may be valid');
      clock.advance(1);
      await gw.denglu.signingKeys.maintain();
      assert.ok(!kidsOf(await jwksOf(gw)).includes(current.kid), 'removed once every token it signed has expired');
      const after = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'rotation-user');
      assert.equal(kidOf(after.tokens.id_token!), next.kid);
    });
  });

  describe('continuous logins at a shop that caches the JWKS', () => {
    const LEAD_SECONDS = 2;
    let gw: Gateway;
    before(async () => {
      gw = await startGateway({ clock: systemClock, env: { KEY_PUBLISH_LEAD_SECONDS: String(LEAD_SECONDS) } });
    });
    after(async () => {
      await gw.close();
    });

    /** Logins back to back by `workers` shoppers until `stop()`; each ID token verified against `jwks`. */
    function keepLoggingIn(jwks: ReturnType<typeof createRemoteJWKSet>, workers: number) {
      const stats = { logins: 0, verificationFailures: [] as string[], otherFailures: [] as string[], kids: new Set<string>() };
      let running = true;
      const loops = Array.from({ length: workers }, async (_, w) => {
        for (let n = 0; running; n++) {
          let idToken: string;
          try {
            idToken = (await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', `shopper-${w}-${n % 5}`)).tokens.id_token!;
          } catch (err) {
            stats.otherFailures.push((err as Error).message);
            continue;
          }
          try {
            await jwtVerify(idToken, jwks, { issuer: gw.issuer, audience: 'alpha-basic' });
            stats.logins++;
            stats.kids.add(kidOf(idToken)!);
          } catch (err) {
            stats.verificationFailures.push(`${(err as Error & { code?: string }).code}: ${(err as Error).message}`);
          }
        }
      });
      return {
        stats,
        stop: async () => {
          running = false;
          await Promise.all(loops);
        },
      };
    }

    /** Rotates as soon as the gateway allows it (the next key published for the lead). */
    async function rotateWhenReady(): Promise<void> {
      const op = client(gw, OPERATOR);
      const next = (await op.get('/keys')).body.keys.find((k: any) => k.stage === 'next');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next.signsFromMs - Date.now()) + 100));
      const answer = await op.post('/keys/rotate', {});
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }

    it('rotates twice while logins run: every ID token verifies, signed by three keys in turn', async () => {
      // The shop refetches on an unknown kid at most once per cooldown; the lead is at least that long.
      const jwks = createRemoteJWKSet(new URL(`${gw.issuer}/jwks`), { cooldownDuration: LEAD_SECONDS * 1000 });
      const run = keepLoggingIn(jwks, 2);
      /** Until a verified token was signed by the `n`th key (logins keep running meanwhile). */
      const untilSignedBy = async (n: number) => {
        while (run.stats.kids.size < n && run.stats.verificationFailures.length === 0 && run.stats.otherFailures.length === 0)
          await new Promise((resolve) => setTimeout(resolve, 50));
      };
      try {
        await untilSignedBy(1);
        await rotateWhenReady();
        await untilSignedBy(2);
        await rotateWhenReady();
        await untilSignedBy(3);
      } finally {
        await run.stop();
      }
      assert.deepEqual(run.stats.otherFailures, []);
      assert.deepEqual(run.stats.verificationFailures, []);
      assert.equal(run.stats.kids.size, 3, `tokens signed by ${[...run.stats.kids].join(', ')}`);
      assert.ok(run.stats.logins >= 6, `${run.stats.logins} logins`);
    });

    it('a forced rotation right after another breaks such a shop: why the next key waits for the lead', async () => {
      const jwks = createRemoteJWKSet(new URL(`${gw.issuer}/jwks`)); // jose's defaults: 30 s cooldown
      const op = client(gw, OPERATOR);
      const warm = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'forced-user');
      await jwtVerify(warm.tokens.id_token!, jwks, { issuer: gw.issuer, audience: 'alpha-basic' });
      for (let i = 0; i < 2; i++) assert.equal((await op.post('/keys/rotate', { force: true })).status, 200);
      const token = (await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'forced-user')).tokens.id_token!;
      await assert.rejects(jwtVerify(token, jwks, { issuer: gw.issuer, audience: 'alpha-basic' }), (err: any) => err.code === 'ERR_JWKS_NO_MATCHING_KEY');
    });
  });
});
