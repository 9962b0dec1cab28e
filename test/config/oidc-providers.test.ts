// Declared OpenID Connect providers in the configuration: read from DENGLU_OIDC_PROVIDERS or a file,
// their settings filled from the JSON with the environment winning, production rules (https issuer,
// an issuer at all, no sandbox secret), the sandbox demo, and one-line problems that never show a secret.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load-config.ts';
import { SANDBOX_OIDC_PROVIDER } from '../../config/sandbox-seed.ts';
import { DESCRIPTORS, providerRegistry } from '../../providers/index.ts';

const SECRET = 'corp-secret-that-must-never-be-printed';
const CORP = {
  id: 'corp-sso',
  issuer: 'https://sso.example.com/realms/shop',
  clientId: 'denglu',
  clientSecret: SECRET,
  label: { 'zh-CN': '企业账号', en: 'Corp SSO' },
  colors: { background: '#0b7285', foreground: '#ffffff' },
};
const PRODUCTION = {
  NODE_ENV: 'production',
  DENGLU_ISSUER: 'https://login.example.com',
  COOKIE_KEYS: 'k'.repeat(40),
  PAIRWISE_SALT: 's'.repeat(40),
  ADMIN_OPERATOR_TOKEN: 'o'.repeat(40),
  MAIL_SMTP_URL: 'smtps://denglu:mail-password@smtp.example.com:465',
  MAIL_FROM: 'Denglu <no-reply@login.example.com>',
  TRUST_PROXY: 'loopback',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, descriptors: DESCRIPTORS });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return assert.fail('expected the configuration to be refused');
}

describe('config: declared OpenID Connect providers', () => {
  it('a production deployment with only a declared provider: configured from the JSON, in the registry', () => {
    const config = loadConfig({ env: { ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([CORP]) }, descriptors: DESCRIPTORS });
    assert.deepEqual(Object.keys(config.providers), ['corp-sso']);
    assert.deepEqual(config.providers['corp-sso'], { clientId: 'denglu', clientSecret: SECRET, baseUrls: { issuer: CORP.issuer }, extra: {} });
    const registry = providerRegistry(config.oidcProviders);
    assert.equal(registry.get('corp-sso')!.descriptor.label.en, 'Corp SSO');
    assert.ok(registry.has('weibo'), 'the built-in providers stay');
  });

  it('the environment wins over the JSON, so the secret can stay out of it', () => {
    const { clientSecret: _, ...withoutSecret } = CORP;
    const config = loadConfig({
      env: { ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([withoutSecret]), OIDC_CORP_SSO_CLIENT_SECRET: 'from-env-secret' },
      descriptors: DESCRIPTORS,
    });
    assert.equal(config.providers['corp-sso']!.clientSecret, 'from-env-secret');
  });

  it('reads the list from DENGLU_OIDC_PROVIDERS_FILE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'denglu-oidc-'));
    try {
      const file = join(dir, 'providers.json');
      await writeFile(file, JSON.stringify([CORP]));
      const config = loadConfig({ env: { ...PRODUCTION, DENGLU_OIDC_PROVIDERS_FILE: file }, descriptors: DESCRIPTORS });
      assert.ok(config.providers['corp-sso']);
      const missing = problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS_FILE: join(dir, 'nope.json') });
      assert.ok(
        missing.some((p) => /DENGLU_OIDC_PROVIDERS_FILE \(.*nope\.json\) cannot be read: ENOENT/.test(p)),
        missing.join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses, in one line each and without the secret: bad JSON, both variables, an http issuer, no issuer, a built-in id', () => {
    const broken = problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS: `[{"id":"x","clientSecret":"${SECRET}",}]` });
    assert.ok(
      broken.some((p) => /^DENGLU_OIDC_PROVIDERS is not valid JSON/.test(p)),
      broken.join('\n'),
    );
    const problems = [
      ...broken,
      ...problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS: '[]', DENGLU_OIDC_PROVIDERS_FILE: '/x.json' }),
      ...problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([{ ...CORP, issuer: 'http://sso.example.com' }]) }),
      ...problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([{ ...CORP, issuer: undefined }]) }),
      ...problemsOf({ ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([{ ...CORP, id: 'qq' }]) }),
    ];
    for (const p of problems) {
      assert.ok(!p.includes(SECRET), `no secret in: ${p}`);
      assert.ok(!p.includes('\n'), `one line: ${p}`);
    }
    const all = problems.join('\n');
    assert.match(all, /set DENGLU_OIDC_PROVIDERS or DENGLU_OIDC_PROVIDERS_FILE, not both/);
    assert.match(all, /OIDC_CORP_SSO_ISSUER points at http:\/\/sso\.example\.com, a plain-http endpoint/);
    assert.match(all, /"corp-sso" needs an "issuer" \(or OIDC_CORP_SSO_ISSUER\) outside the sandbox/);
    assert.match(all, /the id "qq" is already a built-in sign-in method/);
  });

  it('the sandbox adds its demo provider, pointed at its emulator, only when asked (npm start)', () => {
    const plain = loadConfig({ env: {}, descriptors: DESCRIPTORS });
    assert.equal(plain.providers['example-oidc'], undefined);
    const config = loadConfig({ env: {}, descriptors: DESCRIPTORS, sandboxOidcDemo: SANDBOX_OIDC_PROVIDER });
    assert.deepEqual(
      config.oidcProviders.map((d) => d.id),
      ['example-oidc'],
    );
    assert.equal(config.providers['example-oidc']!.baseUrls.issuer, config.sandbox.emulatorUrls['example-oidc']);
    // The emulators take consecutive ports after the gateway's 3000: the built-in providers', then the demo's.
    assert.equal(config.sandbox.emulatorUrls['example-oidc'], `http://localhost:${3001 + DESCRIPTORS.length}`);
    assert.equal(config.providers['example-oidc']!.clientId, 'denglu-sandbox-example-oidc');
    const production = loadConfig({
      env: { ...PRODUCTION, DENGLU_OIDC_PROVIDERS: JSON.stringify([CORP]) },
      descriptors: DESCRIPTORS,
      sandboxOidcDemo: SANDBOX_OIDC_PROVIDER,
    });
    assert.deepEqual(
      production.oidcProviders.map((d) => d.id),
      ['corp-sso'],
      'never outside the sandbox',
    );
  });
});
