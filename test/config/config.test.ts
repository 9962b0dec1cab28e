// Configuration: defaults in one documented place, every problem reported at once, production refusing
// sandbox settings, and .env.example listing every variable.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../config/load-config.ts';
import { SETTINGS } from '../../config/defaults.ts';
import { providerSettingDocs } from '../../config/provider-settings.ts';
import { DESCRIPTORS } from '../../providers/index.ts';

const load = (env: Record<string, string>, argv: string[] = []) => loadConfig({ env, argv, descriptors: DESCRIPTORS });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const PRODUCTION_OK = {
  NODE_ENV: 'production',
  DENGLU_ISSUER: 'https://login.example.com',
  COOKIE_KEYS: 'k'.repeat(40),
  PAIRWISE_SALT: 's'.repeat(40),
  ADMIN_OPERATOR_TOKEN: 'o'.repeat(40),
  WEIBO_CLIENT_ID: '1234567890',
  WEIBO_CLIENT_SECRET: 'a-real-looking-weibo-secret',
  MAIL_SMTP_URL: 'smtps://denglu:mail-password@smtp.example.com:465',
  MAIL_FROM: 'Denglu <no-reply@login.example.com>',
  TRUST_PROXY: 'loopback',
};

describe('config', () => {
  it('starts in development with the sandbox and every provider pointed at its emulator', () => {
    const config = load({});
    assert.equal(config.production, false);
    assert.equal(config.port, 3000);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.sandbox.enabled, true);
    assert.deepEqual(Object.keys(config.providers).sort(), DESCRIPTORS.map((d) => d.id).sort());
    assert.equal(config.providers.weibo!.baseUrls.api, config.sandbox.emulatorUrls.weibo);
    assert.equal(config.sandbox.emulatorUrls.weibo, 'http://localhost:3001');
    // The sandbox apps have the providers' real id shapes: QQ app ids and Weibo app keys are numbers.
    assert.match(config.providers.qq!.clientId, /^\d+$/);
    assert.match(config.providers.weibo!.clientId, /^\d+$/);
    assert.equal(config.cookieKeys, undefined, 'generated and stored in development');
  });

  it('derives the issuer and sandbox ports from PORT', () => {
    const config = load({ PORT: '4000' });
    assert.equal(config.issuer, 'http://localhost:4000');
    assert.equal(config.sandbox.emulatorPort, 4001);
    assert.equal(config.sandbox.shopPort, 4100);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() =>
      load({ PORT: 'abc', LOG_LEVEL: 'loud', SANDBOX: 'maybe', UPSTREAM_TIMEOUT_MS: '0', SANDBOX_NOW: '2013-09-20T10:00', WEIBO_CLIENT_ID: 'x' }),
    );
    const text = problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'SANDBOX', 'UPSTREAM_TIMEOUT_MS', 'SANDBOX_NOW', 'WEIBO_CLIENT_SECRET']) {
      assert.match(text, new RegExp(name), `${name} is named`);
    }
    assert.match(text, /no offset or time zone/);
    assert.equal(problems.length, 6);
  });

  it('accepts a simulated now from --now with an offset or zone, and refuses a bare local time', () => {
    assert.equal(load({}, ['--now', '2013-09-20T10:00+08:00']).sandbox.now, Date.parse('2013-09-20T02:00:00Z'));
    assert.equal(load({}, ['--now=2013-09-20T10:00[Asia/Shanghai]']).sandbox.now, Date.parse('2013-09-20T02:00:00Z'));
    assert.match(problemsOf(() => load({}, ['--now', '2013-09-20 10:00'])).join(), /--now: .*no offset or time zone/);
  });

  it('accepts a complete production configuration', () => {
    const config = load(PRODUCTION_OK);
    assert.equal(config.production, true);
    assert.equal(config.sandbox.enabled, false);
    assert.deepEqual(Object.keys(config.providers), ['weibo'], 'only configured providers are used');
    assert.equal(config.providers.weibo!.baseUrls.api, 'https://api.weibo.com');
  });

  it('refuses sandbox settings in production, all at once', () => {
    const problems = problemsOf(() =>
      load({
        NODE_ENV: 'production',
        DENGLU_ISSUER: 'http://login.example.com',
        SANDBOX: 'true',
        SANDBOX_NOW: '2013-09-20T10:00+08:00',
        WEIBO_CLIENT_ID: '3000000001',
        WEIBO_CLIENT_SECRET: 'sandbox-secret-weibo-not-for-production',
        WEIBO_BASE_URL: 'http://localhost:3001',
      }),
    );
    const text = problems.join('\n');
    assert.match(text, /SANDBOX must be false/);
    assert.match(text, /simulated time/);
    assert.match(text, /COOKIE_KEYS is required/);
    assert.match(text, /PAIRWISE_SALT is required/);
    assert.match(text, /https URL in production/);
    assert.match(text, /WEIBO_CLIENT_SECRET is the sandbox secret/);
    assert.match(text, /WEIBO_BASE_URL points at http:\/\/localhost:3001/);
  });

  it('sends mail through the sandbox outbox in development, and requires an SMTP server and a sender in production', () => {
    const dev = load({});
    assert.equal(dev.mail.smtpUrl, undefined, 'the outbox');
    assert.equal(dev.mail.requireTls, false);
    const prod = load(PRODUCTION_OK);
    assert.equal(prod.mail.smtpUrl, PRODUCTION_OK.MAIL_SMTP_URL);
    assert.equal(prod.mail.requireTls, true);
    const { MAIL_SMTP_URL: _u, MAIL_FROM: _f, ...withoutMail } = PRODUCTION_OK;
    const text = problemsOf(() => load(withoutMail)).join('\n');
    assert.match(text, /MAIL_SMTP_URL is required in production/);
    assert.match(text, /MAIL_FROM is required in production/);
    assert.match(problemsOf(() => load({ MAIL_SMTP_URL: 'http://smtp.example.com' })).join(), /MAIL_SMTP_URL must be an smtp/);
  });

  it('refuses short cookie keys and salts', () => {
    const problems = problemsOf(() => load({ ...PRODUCTION_OK, COOKIE_KEYS: 'short', PAIRWISE_SALT: 'short' }));
    assert.equal(problems.length, 2);
  });

  it('serves no metrics unless METRICS_PORT is set, and then on this machine only unless METRICS_HOST says otherwise', () => {
    assert.equal(load({}).metrics, undefined);
    assert.equal(load(PRODUCTION_OK).metrics, undefined);
    assert.deepEqual(load({ METRICS_PORT: '9464' }).metrics, { port: 9464, host: '127.0.0.1' });
    assert.deepEqual(load({ ...PRODUCTION_OK, METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics, { port: 9464, host: '10.0.0.5' });
    assert.match(problemsOf(() => load({ METRICS_PORT: 'ninety' })).join(), /METRICS_PORT must be a whole number from 1 to 65535/);
    assert.match(problemsOf(() => load({ PORT: '4000', METRICS_PORT: '4000' })).join(), /METRICS_PORT must differ from PORT \(4000\)/);
  });

  it('DATABASE_URL selects the PostgreSQL store with its pool settings; a bad one is refused without echoing it', () => {
    assert.equal(load({}).database, undefined);
    const config = load({ DATABASE_URL: 'postgres://denglu:pw@db.example:5432/denglu', DB_POOL_MAX: '4', DB_STATEMENT_TIMEOUT_MS: '900' });
    assert.deepEqual(config.database, { url: 'postgres://denglu:pw@db.example:5432/denglu', pool: { max: 4, waitMs: 2000, statementTimeoutMs: 900 } });
    const problems = problemsOf(() =>
      load({ DATABASE_URL: 'mysql://root:hunter2@db.example/denglu', DB_POOL_MAX: '0', DB_POOL_WAIT_MS: 'soon', DB_STATEMENT_TIMEOUT_MS: '-1' }),
    );
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0]!, /DATABASE_URL must be a PostgreSQL URL starting with postgres:\/\//);
    assert.doesNotMatch(problems.join(), /hunter2/);
    assert.match(problemsOf(() => load({ DATABASE_URL: 'not a url with secret-pw' })).join(), /DATABASE_URL must be a PostgreSQL URL, e\.g\./);
    assert.doesNotMatch(problemsOf(() => load({ DATABASE_URL: 'not a url with secret-pw' })).join(), /secret-pw/);
    assert.match(problemsOf(() => load({ DATABASE_URL: 'postgres://db.example:5432' })).join(), /must name the database/);
  });

  it('documents every variable in SETTINGS and .env.example', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const source = ['load-config.ts', 'sms-config.ts'].map((f) => readFileSync(new URL(`../../config/${f}`, import.meta.url), 'utf8')).join('\n');
    const read = new Set([...source.matchAll(/\b(?:env\.|int\(|bool\(|url\()'?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
    const documented = new Set(SETTINGS.map((s) => s.env));
    for (const name of read) assert.ok(documented.has(name), `${name} is read but not in config/defaults.ts SETTINGS`);
    for (const name of documented) assert.match(example, new RegExp(`^#? ?${name}=`, 'm'), `${name} is missing from .env.example`);
  });

  it('documents every provider setting its descriptor declares, with the declared description, in .env.example and the README', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const docs = providerSettingDocs(DESCRIPTORS);
    assert.ok(docs.length >= DESCRIPTORS.length * 3, 'every provider declares at least its credentials and a base URL');
    for (const doc of docs) {
      const escaped = doc.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(
        example,
        new RegExp(`^# ${escaped} Default: ${doc.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\n#? ?${doc.env}=`, 'm'),
        `${doc.env} in .env.example`,
      );
      assert.ok(readme.includes(`\`${doc.env}\``), `${doc.env} is missing from the README`);
    }
    for (const d of DESCRIPTORS) {
      assert.ok(
        d.settings.some((s) => s.fills === 'clientId'),
        `${d.id} declares its client id`,
      );
      for (const role of Object.keys(d.baseUrls)) {
        assert.ok(
          d.settings.some((s) => typeof s.fills === 'object' && 'baseUrl' in s.fills && s.fills.baseUrl === role),
          `${d.id} declares one setting for its "${role}" base URL`,
        );
      }
    }
  });

  it('reads provider options from the declarations: QQ_UNIONID defaults to true in the sandbox, false elsewhere, and is validated', () => {
    assert.equal(load({}).providers.qq!.extra?.unionid, true);
    assert.equal(load({ QQ_UNIONID: 'false' }).providers.qq!.extra?.unionid, false);
    assert.equal(load({ ...PRODUCTION_OK, QQ_CLIENT_ID: '101000001', QQ_CLIENT_SECRET: 'real-qq-key' }).providers.qq!.extra?.unionid, false);
    assert.match(problemsOf(() => load({ QQ_UNIONID: 'perhaps' })).join(), /QQ_UNIONID must be true or false/);
  });
});

describe('config: behind a proxy, TLS and HTTP server limits', () => {
  it('trusts the proxies TRUST_PROXY names, as express accepts them, and nobody by default', () => {
    assert.equal(load({}).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.deepEqual(load({ TRUST_PROXY: 'loopback' }).trustProxy, ['loopback']);
    assert.deepEqual(load({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8,uniquelocal, 172.16.0.0/255.240.0.0' }).trustProxy, [
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'uniquelocal',
      '172.16.0.0/255.240.0.0',
    ]);
    assert.equal(load({ TRUST_PROXY: '2' }).trustProxy, 2);
    for (const wrong of ['true', 'banana', '10.0.0.0/33', '10.0.0.1/8/8', '300.1.1.1', '11']) {
      const text = problemsOf(() => load({ TRUST_PROXY: wrong })).join('\n');
      assert.match(text, /TRUST_PROXY/, `${wrong} is refused, naming the setting`);
    }
  });

  it('refuses production with an https issuer that neither trusts a proxy nor serves TLS, naming both settings', () => {
    const { TRUST_PROXY: _trusted, ...untrusting } = PRODUCTION_OK;
    const problems = problemsOf(() => load(untrusting));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /TRUST_PROXY/);
    assert.match(problems[0]!, /TLS_CERT_FILE and TLS_KEY_FILE/);
    const tls = load({ ...untrusting, TLS_CERT_FILE: '/etc/denglu/cert.pem', TLS_KEY_FILE: '/etc/denglu/key.pem' });
    assert.deepEqual(tls.tls, { certFile: '/etc/denglu/cert.pem', keyFile: '/etc/denglu/key.pem' });
    assert.equal(tls.trustProxy, false);
    assert.match(problemsOf(() => load({ TLS_CERT_FILE: '/etc/denglu/cert.pem' })).join(), /TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
  });

  it('accepts any https provider base URL in production (a CA from NODE_EXTRA_CA_CERTS) and refuses plain http', () => {
    assert.equal(load({ ...PRODUCTION_OK, WEIBO_BASE_URL: 'https://127.0.0.1:8443' }).providers.weibo!.baseUrls.api, 'https://127.0.0.1:8443');
    assert.equal(load({ ...PRODUCTION_OK, WEIBO_BASE_URL: 'https://weibo-relay.internal' }).providers.weibo!.baseUrls.api, 'https://weibo-relay.internal');
    assert.match(
      problemsOf(() => load({ ...PRODUCTION_OK, WEIBO_BASE_URL: 'http://weibo-relay.internal' })).join(),
      /WEIBO_BASE_URL points at http:\/\/weibo-relay\.internal/,
    );
  });

  it('refuses every port browsers and fetch refuse, naming the setting', () => {
    const named = (env: Record<string, string>, setting: string, port: number) => {
      const text = problemsOf(() => load(env)).join('\n');
      assert.match(text, new RegExp(`${setting}.*\\b${port}\\b.*bad port`), `${JSON.stringify(env)} names ${setting} and ${port}: ${text}`);
    };
    named({ PORT: '6000' }, 'PORT', 6000);
    named({ PORT: '5999' }, 'SANDBOX_EMULATOR_PORT', 6000); // the emulators take 5999 + 1 … + one per provider
    named({ SANDBOX_EMULATOR_PORT: '6664' }, 'SANDBOX_EMULATOR_PORT', 6665);
    named({ SANDBOX_SHOP_PORT: '10079' }, 'SANDBOX_SHOP_PORT', 10080); // JD.com 10079, Taobao 10080
    named({ DENGLU_ISSUER: 'http://localhost:6667' }, 'DENGLU_ISSUER', 6667);
    named({ ...PRODUCTION_OK, DENGLU_ISSUER: 'https://login.example.com:6697' }, 'DENGLU_ISSUER', 6697);
    named({ QQ_BASE_URL: 'http://localhost:4190' }, 'QQ_BASE_URL', 4190);
    named({ ...PRODUCTION_OK, WEIBO_BASE_URL: 'https://api.weibo.com:5060' }, 'WEIBO_BASE_URL', 5060);
    assert.match(
      problemsOf(() => load({ SANDBOX_EMULATOR_PORT: '65534' })).join(),
      new RegExp(`SANDBOX_EMULATOR_PORT: ports 65534–${65533 + DESCRIPTORS.length} run past 65535`),
    );
    // Without the sandbox its ports are not used, so not checked; ports next to bad ones are fine.
    assert.equal(load({ ...PRODUCTION_OK, PORT: '5999' }).port, 5999);
    assert.equal(load({ PORT: '6001', SANDBOX_EMULATOR_PORT: '6001' }).port, 6001);
  });

  it('limits the HTTP server with defaults suited to a login service, configurable', () => {
    assert.deepEqual(load({}).http, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1024,
      maxHeaderBytes: 16_384,
      maxHeadersCount: 100,
    });
    assert.equal(load({ HTTP_MAX_CONNECTIONS: '50' }).http.maxConnections, 50);
    assert.match(
      problemsOf(() => load({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).join(),
      /HTTP_HEADERS_TIMEOUT_MS \(40000\) must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
    const text = problemsOf(() => load({ HTTP_MAX_CONNECTIONS: '0', HTTP_MAX_HEADER_BYTES: '100', HTTP_KEEP_ALIVE_TIMEOUT_MS: 'soon' })).join('\n');
    for (const name of ['HTTP_MAX_CONNECTIONS', 'HTTP_MAX_HEADER_BYTES', 'HTTP_KEEP_ALIVE_TIMEOUT_MS']) assert.match(text, new RegExp(name));
  });
});

describe('config: SMS sender', () => {
  it('uses the sandbox outbox in development and sends no texts in production unless told', () => {
    assert.deepEqual(load({}).sms, { sender: 'sandbox' });
    assert.equal(load(PRODUCTION_OK).sms, undefined);
  });

  it('refuses the sandbox sender in production and plain-http endpoints there', () => {
    assert.ok(problemsOf(() => load({ ...PRODUCTION_OK, SMS_SENDER: 'sandbox' })).some((p) => /SMS_SENDER=sandbox is refused in production/.test(p)));
    const aliyun = {
      SMS_SENDER: 'aliyun',
      SMS_ALIYUN_ACCESS_KEY_ID: 'id',
      SMS_ALIYUN_ACCESS_KEY_SECRET: 'secret',
      SMS_SIGN_NAME: '登录',
      SMS_TEMPLATE_ID: 'SMS_1',
    };
    assert.ok(
      problemsOf(() => load({ ...PRODUCTION_OK, ...aliyun, SMS_ALIYUN_BASE_URL: 'http://127.0.0.1:9999' })).some((p) =>
        /SMS_ALIYUN_BASE_URL must be an https URL/.test(p),
      ),
    );
    assert.deepEqual(load({ ...PRODUCTION_OK, ...aliyun }).sms, {
      sender: 'aliyun',
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      signName: '登录',
      templateCode: 'SMS_1',
      baseUrl: 'https://dysmsapi.aliyuncs.com',
    });
  });

  it('names every missing credential and an unknown sender', () => {
    assert.deepEqual(
      problemsOf(() => load({ SMS_SENDER: 'aliyun', SMS_SIGN_NAME: 'x' })),
      ['SMS_SENDER=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_TEMPLATE_ID'],
    );
    assert.deepEqual(
      problemsOf(() => load({ SMS_SENDER: 'tencent' })),
      ['SMS_SENDER=tencent needs SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY, SMS_TENCENT_APP_ID, SMS_SIGN_NAME, SMS_TEMPLATE_ID'],
    );
    assert.deepEqual(
      problemsOf(() => load({ SMS_SENDER: 'twilio' })),
      ['SMS_SENDER must be sandbox, aliyun or tencent (got "twilio")'],
    );
    const tencent = load({
      SMS_SENDER: 'tencent',
      SMS_TENCENT_SECRET_ID: 'id',
      SMS_TENCENT_SECRET_KEY: 'key',
      SMS_TENCENT_APP_ID: '1400000001',
      SMS_SIGN_NAME: '登录',
      SMS_TEMPLATE_ID: '449739',
    }).sms;
    assert.equal(tencent?.sender, 'tencent');
    assert.equal(tencent?.sender === 'tencent' && tencent.region, 'ap-guangzhou');
  });
});
