// End to end: an operator adds an upstream OpenID Connect provider by configuration alone
// (DENGLU_OIDC_PROVIDERS, no code), offers it at a shop through the admin API with a schedule, and a
// shopper signs in with it through the broker; the shop's ID token says so. When the provider's
// discovery is down or its ID token is for another client, the shopper gets the failure page in their
// language and nothing is created.

import assert from 'node:assert/strict';
import type { Account } from '../../src/accounts/account.ts';
import { translator } from '../../src/i18n/messages.ts';
import type { EmulatorApp } from '../../providers/contract.ts';
import { createOidcEmulator, oidcIdentityKeys } from '../../providers/oidc/emulator.ts';
import { forgetOidcMetadata } from '../../providers/oidc/metadata.ts';
import { serveEmulator, type ServedEmulator } from '../../providers/shared/testing.ts';
import { client, OPERATOR } from '../admin/admin-client.ts';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, type Gateway, loginWith, startGateway } from '../support/gateway.ts';
import { assertFailurePage } from './e2e-checks.ts';

const ID = 'corp-sso';
const CLIENT = { clientId: 'denglu-at-corp', clientSecret: 'corp-sso-secret-for-e2e-0123456789' };

describe('e2e: an OpenID Connect provider declared by configuration', () => {
  let upstream: ServedEmulator;
  let gw: Gateway;
  // The upstream learns Denglu's callback once the gateway has its address.
  const apps: EmulatorApp[] = [];

  before(async () => {
    upstream = await serveEmulator(createOidcEmulator('corp', 'Corp SSO', { apps }));
    const declaration = {
      id: ID,
      issuer: upstream.url,
      clientId: CLIENT.clientId,
      scopes: ['openid', 'profile'],
      label: { 'zh-CN': '企业账号', en: 'Corp SSO' },
      colors: { background: '#0b7285', foreground: '#ffffff' },
    };
    // The secret stays out of the JSON: it comes from the variable the declaration's descriptor names.
    gw = await startGateway({ env: { DENGLU_OIDC_PROVIDERS: JSON.stringify([declaration]), OIDC_CORP_SSO_CLIENT_SECRET: CLIENT.clientSecret } });
    apps.push({ ...CLIENT, redirectUris: [`${gw.issuer}/cb/${ID}`] });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
  });
  afterEach(() => {
    upstream.emulator.faults.clear();
    forgetOidcMetadata();
  });

  it('is offered at a shop through the admin API, with a schedule, like any provider', async () => {
    const op = client(gw, OPERATOR);
    assert.equal((await op.put(`/partners/alpha/integrations/${ID}`, {})).status, 201);
    const noticeAt = '2099-01-01T00:00:00+08:00';
    assert.equal((await op.put(`/partners/alpha/integrations/${ID}`, { noticeAt, cutoffAt: '2099-02-01T00:00:00+08:00' })).status, 200);
    const listed = (await op.get('/partners/alpha/integrations')).body.integrations.find((i: { provider: string }) => i.provider === ID);
    assert.ok(listed, 'the declared provider is among the shop integrations');
    const unknown = await op.put('/partners/alpha/integrations/not-declared', {});
    assert.equal(unknown.status, 400, 'an id that is neither built in nor declared is refused');
  });

  it('signs a shopper in through the broker; the shop gets an ID token naming the provider', async () => {
    const { claims } = await loginWith(gw, new TestBrowser(), 'alpha-basic', ID, 'alice');
    assert.equal(claims.idp, ID);
    assert.deepEqual(claims.amr, ['fed', ID]);
    assert.equal(claims.name, 'Alice Example');
    const keys = oidcIdentityKeys(ID, 'alice');
    const account = (await gw.store.findOne<Account>('accounts', 'identity', keys[0]!))?.value;
    assert.ok(account, 'the account is found under <id>:sub:<sub>');
    assert.deepEqual(account.identities[0]!.keys, keys);
    const again = await loginWith(gw, new TestBrowser(), 'alpha-basic', ID, 'alice');
    assert.equal(again.claims.sub, claims.sub, 'the same shopper, the same sub');
  });

  it('the chooser shows its button with its label in the shopper language', async () => {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'zh-CN';
    const shop = gw.shops['alpha-basic']!;
    const chooser = await browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
    assert.match(chooser.html, new RegExp(`data-provider="${ID}"`));
    assert.ok(chooser.html.includes('企业账号'));
  });

  async function failedSignIn(fault: { endpoint: string; mode: string }, locale: 'zh-CN' | 'en') {
    const browser = new TestBrowser();
    browser.acceptLanguage = locale;
    const shop = gw.shops['alpha-basic']!;
    const before = await gw.store.count('accounts');
    // Discovery is asked twice: by the hint's direct start, then by the interaction page it falls back to.
    if (fault.endpoint === 'discovery') upstream.emulator.faults.set(fault.endpoint, fault.mode, 2);
    let page = await browser.go((await authRequest(shop, { provider: ID })).url, { stopAt: atShop(shop) });
    if (fault.endpoint === 'token') {
      upstream.emulator.faults.set(fault.endpoint, fault.mode, 1);
      page = await approveAtProvider(browser, page, 'mallory', shop);
    }
    const t = translator(locale);
    assertFailurePage(page, {
      locale,
      status: 502,
      code: 'ERR_UPSTREAM',
      message: t('error.ERR_UPSTREAM.default', { provider: locale === 'en' ? 'Corp SSO' : '企业账号', shop: '', hint: '' }),
    });
    assert.deepEqual(upstream.emulator.faults.list(), {}, 'the fault was served');
    assert.equal(await gw.store.count('accounts'), before, 'no account created');
    const none = await gw.store.findOne<Account>('accounts', 'identity', oidcIdentityKeys(ID, 'mallory')[0]!);
    assert.equal(none, undefined, 'no account for the refused ID token');
  }

  it('discovery down: the shopper is told the provider answered something unusable (zh-CN)', () =>
    failedSignIn({ endpoint: 'discovery', mode: 'status500' }, 'zh-CN'));
  it('an ID token for another client: refused, the same page (en)', () => failedSignIn({ endpoint: 'token', mode: 'wrong_audience' }, 'en'));
});
