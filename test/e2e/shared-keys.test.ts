// Signing keys across instances (issue 14 §4): a key rotated through one instance is published and used
// by the other on the same store, without a restart (the ring hears the change through store.watch);
// `refresh` re-reads the stored set when a notification was missed.

import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { PROVIDERS } from '../../providers/index.ts';
import { createApp, type DengluApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, startGateway, type Gateway } from '../support/gateway.ts';
import { until } from '../support/until.ts';

const kidsAt = async (app: DengluApp) => ((await request(app.app).get('/jwks')).body.keys as { kid: string }[]).map((k) => k.kid);

describe('signing keys across two instances on one store', function () {
  let gw: Gateway;
  let other: DengluApp;
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  before(async () => {
    gw = await startGateway({ clock });
    other = await createApp({ config: gw.config, store: gw.store, clock, providers: PROVIDERS, log: gw.log });
  });
  after(async () => {
    other.signingKeys.close();
    await gw.close();
  });

  it('a key rotated through instance A is published and signs at instance B', async () => {
    const op = client(gw, OPERATOR);
    const keys = (await op.get('/keys')).body.keys as { kid: string; stage: string }[];
    const next = keys.find((k) => k.stage === 'next')!.kid;
    const providerAtB = other.oidc;
    clock.advance(gw.config.keys.publishLeadSeconds * 1000);
    assert.equal((await op.post('/keys/rotate', {})).status, 200);

    await until(() => other.signingKeys.views().find((k) => k.stage === 'current')?.kid === next, 'instance B adopts the rotated keys');
    assert.notEqual(other.oidc, providerAtB, 'B serves new requests with a Provider built for the new keys');
    assert.equal((await kidsAt(other))[0], next, 'B publishes the new signing key first');

    // A code issued through A, redeemed at B: B's ID token is signed with the new key.
    const shop = gw.shops['alpha-basic']!;
    const browser = new TestBrowser();
    const auth = await authRequest(shop, { provider: 'weibo' });
    const back = await approveAtProvider(browser, await browser.go(auth.url, { stopAt: atShop(shop) }), 'keys-user', shop);
    assert.equal(back.status, 0, 'back at the shop');
    const basic = `Basic ${Buffer.from('alpha-basic:alpha-basic-secret-0123456789abcdef').toString('base64')}`;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.url.searchParams.get('code')!,
      redirect_uri: shop.redirectUri,
      code_verifier: auth.verifier,
    });
    const tokens = await request(other.app).post('/token').set('authorization', basic).type('form').send(form.toString());
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(decodeProtectedHeader(tokens.body.id_token).kid, next, 'signed at B with the key rotated through A');
  });

  it('refresh adopts a change whose notification was missed', async () => {
    other.signingKeys.close(); // B hears nothing any more
    const before = other.signingKeys.views().find((k) => k.stage === 'current')!.kid;
    clock.advance(gw.config.keys.publishLeadSeconds * 1000);
    assert.equal((await client(gw, OPERATOR).post('/keys/rotate', {})).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(other.signingKeys.views().find((k) => k.stage === 'current')!.kid, before, 'not adopted without a notification');
    await other.signingKeys.refresh();
    const now = gw.denglu.signingKeys.views().find((k) => k.stage === 'current')!.kid;
    assert.notEqual(now, before);
    assert.equal(other.signingKeys.views().find((k) => k.stage === 'current')!.kid, now, 'adopted by refresh');
    assert.equal((await kidsAt(other))[0], now);
  });
});
