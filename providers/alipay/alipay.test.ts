// The Alipay adapter against the Alipay emulator over real HTTP, after the shared contract suite: only
// Alipay's quirks — the publicAppAuthorize redirect, `auth_code`, signed gateway calls both ways (an
// unsigned, tampered or foreign-signed answer refused at its step; a request signed with the wrong key
// refused by the emulator), `error_response` and `code != 10000` at HTTP 200, open_id before user_id,
// the open_id-only app, charset — and Alipay's official Node SDK completing both calls against the emulator.

import assert from 'node:assert/strict';
import { createPrivateKey, createSign, generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import iconv from 'iconv-lite';
import { readProviderSettings } from '../../config/provider-settings.ts';
import { ManualClock } from '../../src/clock.ts';
import type { UpstreamStep } from '../../src/errors.ts';
import type { AdapterOptions, ProviderAdapter } from '../contract.ts';
import { providerContractSuite } from '../shared/contract-suite.ts';
import { adapterOptions, authorizeAt, beginFlow, CALLBACK, completeFlow, serveEmulator, signInUpstream, type ServedEmulator } from '../shared/testing.ts';
import { createAlipayEmulator } from './emulator.ts';
import { TOKEN_METHOD, USER_INFO_METHOD } from './emulator-gateway.ts';
import { openIdFor, userIdFor } from './emulator-world.ts';
import { alipay } from './index.ts';
import { rsaPair, sandboxKeys } from './sandbox-keys.ts';
import { requestSignContent } from './signature.ts';
import { beijingTimestamp } from './timestamp.ts';

// Throwaway test keys, made for this run only.
const APP_KEYS = rsaPair();
const ALIPAY_KEYS = rsaPair();
const APP_ID = '2021004123456789';
const NEW_APP_ID = '2021004987654321';
/** The adapter reads appPrivateKey/alipayPublicKey, the emulator appPublicKey/alipayPrivateKey. */
const KEY_EXTRA = {
  appPrivateKey: APP_KEYS.privateKey,
  alipayPublicKey: ALIPAY_KEYS.publicKey,
  appPublicKey: APP_KEYS.publicKey,
  alipayPrivateKey: ALIPAY_KEYS.privateKey,
};

providerContractSuite(alipay, {
  app: { clientId: APP_ID, clientSecret: '', extra: KEY_EXTRA },
  login: 'lina',
  tokenEndpoint: TOKEN_METHOD,
  denial: 'redirect',
});

describe('alipay', () => {
  let served: ServedEmulator;
  const clock = new ManualClock('2013-08-20T10:00:00+08:00');
  before(async () => {
    served = await serveEmulator(
      createAlipayEmulator({
        apps: [
          {
            clientId: APP_ID,
            clientSecret: '',
            redirectUris: [CALLBACK],
            name: '淘宝（演示）',
            extra: { appPublicKey: APP_KEYS.publicKey, alipayPrivateKey: ALIPAY_KEYS.privateKey },
          },
          {
            clientId: NEW_APP_ID,
            clientSecret: '',
            redirectUris: [CALLBACK],
            extra: { appPublicKey: APP_KEYS.publicKey, alipayPrivateKey: ALIPAY_KEYS.privateKey, openIdOnly: true },
          },
        ],
        clock,
      }),
    );
  });
  after(() => served.close());
  afterEach(() => served.emulator.faults.clear());

  function options(overrides: Partial<AdapterOptions> = {}): AdapterOptions {
    return adapterOptions(['openauth', 'gateway'], served.url, {
      clientId: APP_ID,
      clientSecret: '',
      extra: { appPrivateKey: APP_KEYS.privateKey, alipayPublicKey: ALIPAY_KEYS.publicKey },
      clock,
      ...overrides,
    });
  }
  const adapter = (overrides: Partial<AdapterOptions> = {}): ProviderAdapter => alipay.createAdapter(options(overrides));

  async function failureOf(a: ProviderAdapter, login = 'lina') {
    const { location } = await authorizeAt(await beginFlow(a), login);
    assert.ok(location, 'the emulator redirected back');
    const outcome = await completeFlow(a, location);
    assert.notEqual(outcome.kind, 'success', 'the round trip must fail');
    return (outcome as { error: { step: UpstreamStep; message: string } }).error;
  }

  describe('authorization redirect and callback', () => {
    it('goes to /oauth2/publicAppAuthorize.htm with app_id, scope=auth_user, redirect_uri and state, and nothing OAuth2-shaped', async () => {
      const url = await beginFlow(adapter());
      assert.equal(url.pathname, '/oauth2/publicAppAuthorize.htm');
      assert.equal(url.searchParams.get('app_id'), APP_ID);
      assert.equal(url.searchParams.get('scope'), 'auth_user');
      assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
      assert.ok(url.searchParams.get('state'));
      for (const name of ['client_id', 'response_type', 'code_challenge']) assert.equal(url.searchParams.get(name), null, `no ${name}`);
    });

    it('the callback brings auth_code with app_id, source and scope; a callback with only `code` is a refusal', async () => {
      const a = adapter();
      const { location } = await authorizeAt(await beginFlow(a), 'lina');
      assert.ok(location);
      assert.match(location.searchParams.get('auth_code') ?? '', /^[0-9a-f]{32}$/);
      assert.equal(location.searchParams.get('code'), null);
      assert.equal(location.searchParams.get('app_id'), APP_ID);
      assert.equal(location.searchParams.get('source'), 'alipay_wallet');
      assert.equal(location.searchParams.get('scope'), 'auth_user');
      const renamed = Object.fromEntries(location.searchParams);
      renamed.code = renamed.auth_code!;
      delete renamed.auth_code;
      const outcome = await completeFlow(a, renamed);
      assert.equal(outcome.kind, 'fail');
      assert.equal((outcome as { error: { step: string } }).error.step, 'provider_denied');
    });

    it('a state over 100 characters is refused before the browser leaves (Alipay documents the limit)', async () => {
      await assert.rejects(adapter().authorizationUrl({ state: 's'.repeat(101), callbackUrl: CALLBACK, locale: 'zh-CN' }), /at most 100/);
    });

    it('the emulator shows an error page, not a redirect, for an unregistered redirect_uri or an unknown scope', async () => {
      for (const [name, value] of [
        ['redirect_uri', 'https://evil.example/cb'],
        ['scope', 'auth_everything'],
      ] as const) {
        const url = await beginFlow(adapter());
        url.searchParams.set(name, value);
        const res = await fetch(url, { redirect: 'manual' });
        assert.equal(res.status, 400, name);
        assert.equal(res.headers.get('location'), null);
      }
    });

    it('a missing or unreadable key is a TypeError at start, naming the setting and never its value', () => {
      assert.throws(() => adapter({ extra: { alipayPublicKey: ALIPAY_KEYS.publicKey } }), /appPrivateKey/);
      assert.throws(
        () => adapter({ extra: { appPrivateKey: 'not-a-key', alipayPublicKey: ALIPAY_KEYS.publicKey } }),
        (err: Error) => /ALIPAY_APP_PRIVATE_KEY/.test(err.message) && !err.message.includes('not-a-key'),
      );
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      assert.throws(
        () => adapter({ extra: { appPrivateKey: ec, alipayPublicKey: ALIPAY_KEYS.publicKey } }),
        /ALIPAY_APP_PRIVATE_KEY is a ec key; Alipay signs with RSA/,
      );
    });

    it('takes keys as the bare base64 Alipay prints as well as PEM', async () => {
      const bare = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
      const identity = await signInUpstream(
        adapter({ extra: { appPrivateKey: bare(APP_KEYS.privateKey), alipayPublicKey: bare(ALIPAY_KEYS.publicKey) } }),
        'lina',
      );
      assert.equal(identity.displayName, '李娜');
    });
  });

  describe('identity', () => {
    it('open_id first (scoped by app id), user_id (2088 and 12 digits) second; the profile gives nick name and avatar', async () => {
      const identity = await signInUpstream(adapter(), 'xiaowang');
      const openId = openIdFor(APP_ID, 'xiaowang');
      assert.match(userIdFor('xiaowang'), /^2088\d{12}$/);
      assert.deepEqual(identity.keys, [`alipay:open_id:${APP_ID}:${openId}`, `alipay:user_id:${userIdFor('xiaowang')}`]);
      assert.equal(identity.subject, `${APP_ID}:${openId}`);
      assert.equal(identity.displayName, '小王爱淘宝');
      assert.ok(identity.avatar?.startsWith(served.url));
      assert.match(identity.accessToken ?? '', /^authusrB/);
    });

    it('an app created since 2023 gets open_id only: one key', async () => {
      const identity = await signInUpstream(adapter({ clientId: NEW_APP_ID }), 'xiaowang');
      assert.deepEqual(identity.keys, [`alipay:open_id:${NEW_APP_ID}:${openIdFor(NEW_APP_ID, 'xiaowang')}`]);
      assert.deepEqual(identity.keys, served.emulator.identityKeysFor('xiaowang', NEW_APP_ID));
      assert.notEqual(openIdFor(NEW_APP_ID, 'xiaowang'), openIdFor(APP_ID, 'xiaowang'), 'open_id differs per app');
    });

    it('a known profile skips alipay.user.info.share', async () => {
      served.emulator.faults.set(USER_INFO_METHOD, 'status500', 1);
      const identity = await signInUpstream(adapter({ knownProfile: async () => ({ displayName: '老顾客' }) }), 'lina');
      assert.equal(identity.displayName, '老顾客');
      assert.equal(identity.profileFromCache, true);
      assert.ok(served.emulator.faults.list()[USER_INFO_METHOD], 'user.info.share was not called');
    });
  });

  describe('signed answers', () => {
    const cases: [method: string, mode: string, step: UpstreamStep, message: RegExp][] = [
      [TOKEN_METHOD, 'unsigned', 'token_exchange', /unsigned answer is refused/],
      [TOKEN_METHOD, 'tampered', 'token_exchange', /does not verify/],
      [TOKEN_METHOD, 'other_key', 'token_exchange', /does not verify/],
      [USER_INFO_METHOD, 'unsigned', 'userinfo', /unsigned answer is refused/],
      [USER_INFO_METHOD, 'tampered', 'userinfo', /does not verify/],
      [USER_INFO_METHOD, 'other_key', 'userinfo', /does not verify/],
      [USER_INFO_METHOD, 'invalid_token', 'userinfo', /code 20001 .*aop\.invalid-auth-token/],
    ];
    for (const [method, mode, step, message] of cases) {
      it(`${method} answering ${mode} is refused at ${step}`, async () => {
        served.emulator.faults.set(method, mode, 1);
        const error = await failureOf(adapter());
        assert.equal(error.step, step);
        assert.match(error.message, message);
      });
    }

    it('a request signed with another key gets isv.invalid-signature at HTTP 200 (the emulator verifies with the app public key)', async () => {
      const stranger = rsaPair();
      const error = await failureOf(adapter({ extra: { appPrivateKey: stranger.privateKey, alipayPublicKey: ALIPAY_KEYS.publicKey } }));
      assert.equal(error.step, 'token_exchange');
      assert.match(error.message, /code 40002 \(Invalid Arguments\), sub_code isv\.invalid-signature/);
    });

    it('a code used twice is error_response 40002 isv.code-invalid; the code never appears in the message', async () => {
      const a = adapter();
      const { location } = await authorizeAt(await beginFlow(a), 'lina');
      assert.ok(location);
      assert.equal((await completeFlow(a, location)).kind, 'success');
      const state = (await beginFlow(a)).searchParams.get('state')!;
      const replay = { ...Object.fromEntries(location.searchParams), state };
      const outcome = await completeFlow(a, replay);
      const error = (outcome as { error: { step: string; message: string } }).error;
      assert.equal(error.step, 'token_exchange');
      assert.match(error.message, /code 40002 .*isv\.code-invalid/);
      assert.ok(!error.message.includes(location.searchParams.get('auth_code')!));
    });
  });

  describe('settings', () => {
    const read = (env: Record<string, string>, mode: { sandbox: boolean; production: boolean }) => {
      const problems: string[] = [];
      const providers = readProviderSettings({
        env,
        descriptors: [alipay.descriptor],
        ...mode,
        emulatorUrls: { alipay: 'http://localhost:3004' },
        sandboxCredentials: () => ({ clientId: 'denglu-sandbox-alipay', clientSecret: 'unused' }),
        url: (_name, raw) => raw,
        bool: (_name, fallback) => fallback,
        problems,
      });
      return { credentials: providers.alipay, problems };
    };

    it('production refuses an Alipay app without its private key and Alipay public key', () => {
      const { problems } = read({ ALIPAY_APP_ID: APP_ID }, { sandbox: false, production: true });
      assert.ok(problems.includes('ALIPAY_APP_PRIVATE_KEY is required in production'), problems.join('; '));
      assert.ok(problems.includes('ALIPAY_PUBLIC_KEY is required in production'), problems.join('; '));
    });

    it('the sandbox fills both keys with its throwaway pairs, which its emulator uses too, and no client secret', () => {
      const { credentials, problems } = read({}, { sandbox: true, production: false });
      assert.deepEqual(problems, []);
      assert.equal(credentials?.extra?.appPrivateKey, sandboxKeys().appPrivateKey);
      assert.equal(credentials?.extra?.alipayPublicKey, sandboxKeys().alipayPublicKey);
      assert.equal(credentials?.clientSecret, '');
      assert.deepEqual(credentials?.baseUrls, { openauth: 'http://localhost:3004', gateway: 'http://localhost:3004' });
    });

    it('outside the sandbox no key is generated: without settings Alipay is not used; with an app id its keys are required', () => {
      assert.equal(read({}, { sandbox: false, production: false }).credentials, undefined);
      const { problems } = read({ ALIPAY_APP_ID: APP_ID }, { sandbox: false, production: false });
      assert.deepEqual(problems, ['ALIPAY_APP_PRIVATE_KEY is required outside the sandbox', 'ALIPAY_PUBLIC_KEY is required outside the sandbox']);
    });
  });

  it('string-typed lifetimes (as the doc types say) are read as well as numbers', async () => {
    served.emulator.faults.set(TOKEN_METHOD, 'string_types', 1);
    const identity = await signInUpstream(adapter(), 'lina');
    assert.equal(identity.displayName, '李娜');
    assert.deepEqual(served.emulator.faults.list(), {}, 'the fault was served');
  });

  describe('the wire, read directly', () => {
    /** A gateway call signed by hand with Node's crypto, as a client in another language would. */
    async function rawCall(params: Record<string, string>, charset = 'utf-8') {
      const all: Record<string, string> = {
        app_id: APP_ID,
        format: 'JSON',
        charset,
        sign_type: 'RSA2',
        timestamp: beijingTimestamp(clock.now()),
        version: '1.0',
        ...params,
      };
      const bytes = charset.toLowerCase() === 'gbk' ? iconv.encode(requestSignContent(all), 'gbk') : Buffer.from(requestSignContent(all));
      all.sign = createSign('sha256').update(bytes).sign(createPrivateKey(APP_KEYS.privateKey), 'base64');
      const res = await fetch(`${served.url}/gateway.do`, { method: 'POST', body: new URLSearchParams(all) });
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
    }
    async function authCode(login: string): Promise<string> {
      const { location } = await authorizeAt(await beginFlow(adapter()), login);
      return location!.searchParams.get('auth_code')!;
    }

    it('numbers where the live API sends numbers: expires_in and re_expires_in; ids and auth_start strings', async () => {
      const res = await rawCall({ method: TOKEN_METHOD, grant_type: 'authorization_code', code: await authCode('lina') });
      assert.equal(res.status, 200);
      const body = JSON.parse(res.bytes.toString('utf8'));
      const token = body.alipay_system_oauth_token_response;
      assert.equal(token.expires_in, 1_296_000);
      assert.equal(token.re_expires_in, 2_592_000);
      assert.equal(typeof token.user_id, 'string');
      assert.equal(token.auth_start, '2013-08-20 10:00:00', 'Beijing time from the emulator clock');
      assert.equal(typeof body.sign, 'string');
    });

    it('charset honoured: a GBK request is verified over GBK bytes and answered in GBK, signed over those bytes', async () => {
      const code = await authCode('chenjing');
      const token = JSON.parse(
        (await rawCall({ method: TOKEN_METHOD, grant_type: 'authorization_code', code }, 'GBK')).bytes.toString('utf8'),
      ).alipay_system_oauth_token_response;
      const res = await rawCall({ method: USER_INFO_METHOD, auth_token: token.access_token }, 'GBK');
      assert.equal(res.contentType, 'text/html;charset=gbk');
      const text = iconv.decode(res.bytes, 'gbk');
      assert.equal(JSON.parse(text).alipay_user_info_share_response.nick_name, '陈静');
      assert.notDeepEqual(res.bytes, Buffer.from(text, 'utf8'), 'the bytes are GBK, not UTF-8');
    });

    it('refused public parameters answer Alipay error codes at HTTP 200', async () => {
      const unknownApp = await rawCall({ method: TOKEN_METHOD, app_id: '2021000000000000', grant_type: 'authorization_code', code: 'x' });
      assert.equal(unknownApp.status, 200);
      assert.equal(JSON.parse(unknownApp.bytes.toString()).alipay_system_oauth_token_response.sub_code, 'isv.invalid-app-id');
      const unknownMethod = await rawCall({ method: 'alipay.trade.pay' });
      assert.equal(JSON.parse(unknownMethod.bytes.toString()).error_response.sub_code, 'isv.invalid-method');
    });
  });

  describe("Alipay's official Node SDK (alipay-sdk) against the emulator, only its gateway changed", () => {
    const sdk = () =>
      new AlipaySdk({
        appId: APP_ID,
        privateKey: APP_KEYS.privateKey,
        keyType: 'PKCS8',
        alipayPublicKey: ALIPAY_KEYS.publicKey,
        gateway: `${served.url}/gateway.do`,
      });

    it('completes alipay.system.oauth.token and alipay.user.info.share and verifies the emulator signatures', async () => {
      const { location } = await authorizeAt(await beginFlow(adapter()), 'zhangwei');
      const code = location!.searchParams.get('auth_code')!;
      const token = await sdk().exec(TOKEN_METHOD, { grantType: 'authorization_code', code }, { validateSign: true });
      assert.equal(token.userId, userIdFor('zhangwei'));
      assert.equal(token.openId, openIdFor(APP_ID, 'zhangwei'));
      assert.equal(token.expiresIn, 1_296_000);
      const info = await sdk().exec(USER_INFO_METHOD, { authToken: token.accessToken }, { validateSign: true });
      assert.equal(info.code, '10000');
      assert.equal(info.nickName, '张伟');
      assert.equal(info.userId, userIdFor('zhangwei'));
      const refreshed = await sdk().exec(TOKEN_METHOD, { grantType: 'refresh_token', refreshToken: token.refreshToken }, { validateSign: true });
      assert.match(String(refreshed.accessToken), /^authusrB/);
      assert.notEqual(refreshed.accessToken, token.accessToken);
    });

    it("the SDK's own check refuses a tampered answer (the emulator's signature is what it verifies)", async () => {
      const { location } = await authorizeAt(await beginFlow(adapter()), 'zhangwei');
      served.emulator.faults.set(TOKEN_METHOD, 'tampered', 1);
      await assert.rejects(
        sdk().exec(TOKEN_METHOD, { grantType: 'authorization_code', code: location!.searchParams.get('auth_code')! }, { validateSign: true }),
        /验签失败/,
      );
    });
  });
});
