// Admin credentials: manager secrets are stored only as scrypt hashes (nowhere in the store's files in
// plain text); every well-formed bad token gets the same 401 body, a malformed one a 401 saying so
// without any hashing; the operator token comes from configuration
// (required in production, the sandbox one refused there); sandbox managers have fixed documented tokens
// that production refuses; the API is rate-limited per IP with 429 and Retry-After.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load-config.ts';
import { SANDBOX_MANAGERS, SANDBOX_OPERATOR_TOKEN, sandboxManagerToken, sandboxPartners } from '../../config/sandbox-seed.ts';
import { DESCRIPTORS } from '../../providers/index.ts';
import { principalFor } from '../../src/admin/auth.ts';
import { hashSecret, SCRYPT_PARAMS, verifySecret } from '../../src/admin/credentials.ts';
import { adminBannerLines, seedSandboxManagers } from '../../src/admin/sandbox.ts';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { call, client, OPERATOR, snapshot } from './admin-client.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('admin API: credentials', () => {
  let gw: Gateway;
  let op: ReturnType<typeof client>;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({
      clock,
      // One hash at a time and nobody waiting: a test can fill the hash queue by holding its only slot.
      env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' },
      partners: (defaults) => [...defaults, ...sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' })],
    });
    op = client(gw, OPERATOR);
  });
  after(async () => {
    await gw.close();
  });

  it('hashes secrets with scrypt and verifies them in constant time', async () => {
    const hash = await hashSecret('correct horse battery staple');
    assert.deepEqual({ alg: hash.alg, N: hash.N, r: hash.r, p: hash.p }, { alg: 'scrypt', N: SCRYPT_PARAMS.N, r: SCRYPT_PARAMS.r, p: SCRYPT_PARAMS.p });
    assert.equal(Buffer.from(hash.salt, 'base64url').length, 16);
    assert.equal(await verifySecret('correct horse battery staple', hash), true);
    assert.equal(await verifySecret('correct horse battery stapler', hash), false);
    assert.notEqual((await hashSecret('correct horse battery staple')).hash, hash.hash, 'salted');
  });

  it('stores no plaintext manager token: only the hash, in the store and in its files', async () => {
    const res = await op.post('/managers', { name: 'Alpha', partners: ['alpha'] });
    assert.equal(res.status, 201);
    const token: string = res.body.token;
    const secret = token.slice(token.indexOf('.') + 1);
    assert.ok(Buffer.from(secret, 'base64url').length >= 24, 'at least 24 random bytes');
    const stored = await gw.store.list('managers');
    const text = JSON.stringify(stored);
    assert.ok(!text.includes(secret), 'the managers collection holds no secret');
    assert.ok(text.includes('"alg":"scrypt"'));
    for (const file of await filesUnder(gw.dataDir)) {
      assert.ok(!(await readFile(file, 'utf8')).includes(secret), `${file} holds no secret`);
    }
    assert.equal((await client(gw, token).get('/partners/alpha')).status, 200);
  });

  /** PUTs a change with each header; returns the 401 bodies (without request ids). */
  async function refusedBodies(headers: (string | undefined)[]) {
    const bodies = [];
    for (const authorization of headers) {
      const res = await fetch(`${gw.issuer}/api/admin/partners/alpha/integrations/weibo`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ cutoffAt: '2013-09-02T00:00+08:00', effectiveImmediately: true }),
      });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="denglu-admin"');
      const { requestId, ...body } = (await res.json()) as Record<string, unknown>;
      assert.ok(requestId);
      bodies.push(body);
    }
    return bodies;
  }

  it('answers every well-formed bad token with the same 401 body and changes nothing', async () => {
    const manager = await op.post('/managers', { id: 'alpha-ops', name: 'Alpha ops', partners: ['alpha'] });
    const [id, secret] = [manager.body.id, manager.body.token.split('.')[1] as string];
    const before = await snapshot(gw, 'alpha');
    const bodies = await refusedBodies([undefined, `Bearer nobody.${secret}`, `Bearer ${id}.wrong-secret-of-the-right-shape`, `Bearer ${id}.${secret}x`]);
    for (const body of bodies) assert.deepEqual(body, bodies[0], 'unknown manager and wrong secret look the same');
    assert.deepEqual(bodies[0], { error: 'ERR_UNAUTHORIZED', message: 'a valid admin token is required: send "Authorization: Bearer <token>"' });
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('refuses malformed tokens before any hashing, with a 401 saying what a token looks like', async () => {
    const before = await snapshot(gw, 'alpha');
    const hashed = gw.denglu.hashes.counts.started;
    const malformed = [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      'Bearer wrong-operator-token',
      'Bearer alpha-ops',
      'Bearer alpha-ops.short',
      'Bearer NOT_A_SLUG.abcdefghijklmnopqrstuvwxyz',
      `Bearer alpha-ops.${'x'.repeat(40)}!`,
    ];
    for (const body of await refusedBodies(malformed)) {
      assert.equal(body.error, 'ERR_UNAUTHORIZED');
      assert.match(String(body.message), /malformed.*operator token or a manager token "<managerId>\.<secret>"/);
    }
    assert.equal(gw.denglu.hashes.counts.started, hashed, 'no secret was hashed');
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('checks secrets in the bounded hash queue: when it is full, 503 with Retry-After (not a 401)', async () => {
    let release!: () => void;
    const held = gw.denglu.hashes.run(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const res = await fetch(`${gw.issuer}/api/admin/partners/alpha`, { headers: { authorization: `Bearer nobody.${'a'.repeat(43)}` } });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(((await res.json()) as { error: string }).error, 'ERR_RATE_LIMITED');
      assert.equal((await client(gw, OPERATOR).get('/partners/alpha')).status, 200, 'the operator token needs no hashing');
    } finally {
      release();
      await held;
    }
  });

  it('seeds the sandbox managers with fixed tokens: the JD manager manages jd, not taobao', async () => {
    const inserted = await seedSandboxManagers(gw.store, clock, gw.config);
    assert.deepEqual(inserted, ['jd-manager', 'taobao-manager']);
    assert.deepEqual(await seedSandboxManagers(gw.store, clock, gw.config), [], 'seeding twice inserts nothing');
    const jdToken = sandboxManagerToken(SANDBOX_MANAGERS[0]!);
    assert.equal(jdToken, 'jd-manager.sandbox-jd-manager-secret-not-for-production');
    const jd = client(gw, jdToken);
    assert.equal((await jd.get('/partners/jd/integrations')).status, 200);
    assert.equal(
      (
        await jd.put('/partners/jd/integrations/weibo', {
          noticeAt: '2013-09-10T00:00+08:00',
          cutoffAt: '2013-09-25T00:00+08:00',
          graceEndsAt: '2013-10-25T00:00+08:00',
        })
      ).status,
      200,
    );
    assert.equal((await jd.get('/partners/taobao/integrations')).status, 403);
    assert.equal((await client(gw, sandboxManagerToken(SANDBOX_MANAGERS[1]!)).get('/partners/taobao')).status, 200);
    assert.ok(!JSON.stringify(await gw.store.list('managers')).includes(SANDBOX_MANAGERS[0]!.secret));

    const banner = adminBannerLines(gw.config).join('\n');
    assert.ok(banner.includes(`${gw.issuer}/api/admin`));
    assert.ok(banner.includes(SANDBOX_OPERATOR_TOKEN));
    assert.ok(banner.includes(jdToken));
  });

  it('refuses sandbox manager tokens and seeding in production', async () => {
    await seedSandboxManagers(gw.store, clock, gw.config); // as the seeding test does (a second seeding inserts nothing)
    const deps = { store: gw.store, operatorToken: 'o'.repeat(40), production: false, hashes: gw.denglu.hashes };
    const header = `Bearer ${sandboxManagerToken(SANDBOX_MANAGERS[0]!)}`;
    assert.equal((await principalFor(deps, header))?.kind, 'manager');
    assert.equal(await principalFor({ ...deps, production: true }, header), undefined);
    await assert.rejects(seedSandboxManagers(gw.store, clock, { ...gw.config, production: true }), /refused in production/);
    assert.deepEqual(
      adminBannerLines({ ...gw.config, admin: { ...gw.config.admin, operatorToken: 'o'.repeat(40) } }).filter((l) => l.includes('o'.repeat(40))),
      [],
      'a real operator token is never printed',
    );
  });

  it('requires a strong ADMIN_OPERATOR_TOKEN in production and refuses the sandbox one', () => {
    const production = {
      NODE_ENV: 'production',
      DENGLU_ISSUER: 'https://login.example.com',
      COOKIE_KEYS: 'k'.repeat(40),
      PAIRWISE_SALT: 's'.repeat(40),
      WEIBO_CLIENT_ID: '1234567890',
      WEIBO_CLIENT_SECRET: 'a-real-looking-weibo-secret',
      MAIL_SMTP_URL: 'smtps://denglu:mail-password@smtp.example.com:465',
      MAIL_FROM: 'Denglu <no-reply@login.example.com>',
      TRUST_PROXY: 'loopback',
    };
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ env, descriptors: DESCRIPTORS });
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    assert.match(problems(production).join('\n'), /ADMIN_OPERATOR_TOKEN is required in production/);
    assert.match(problems({ ...production, ADMIN_OPERATOR_TOKEN: SANDBOX_OPERATOR_TOKEN }).join('\n'), /ADMIN_OPERATOR_TOKEN is the sandbox token/);
    assert.match(problems({ ...production, ADMIN_OPERATOR_TOKEN: 'short' }).join('\n'), /at least 32 characters/);
    assert.deepEqual(problems({ ...production, ADMIN_OPERATOR_TOKEN: 'o'.repeat(40) }), []);
    assert.equal(
      loadConfig({ env: {}, descriptors: DESCRIPTORS }).admin.operatorToken,
      SANDBOX_OPERATOR_TOKEN,
      'the documented sandbox default in development',
    );
    assert.match(problems({ ADMIN_RATE_LIMIT: '0' }).join('\n'), /ADMIN_RATE_LIMIT/);
  });
});

describe('admin API: configured operator token and rate limit', () => {
  let gw: Gateway;
  const operatorToken = 'a-configured-operator-token-0123456789abcdef';
  // Every admin request of this gateway counts against ADMIN_RATE_LIMIT, so the tests count theirs: the
  // rate-limit test then knows how many remain whichever tests ran before it.
  let requests = 0;
  const counted = (...args: Parameters<typeof call>) => {
    requests++;
    return call(...args);
  };

  before(async () => {
    gw = await startGateway({ env: { ADMIN_OPERATOR_TOKEN: operatorToken, ADMIN_RATE_LIMIT: '6' } });
  });
  after(async () => {
    await gw.close();
  });

  it('uses ADMIN_OPERATOR_TOKEN instead of the sandbox token', async () => {
    assert.equal((await counted(gw, SANDBOX_OPERATOR_TOKEN, 'GET', '/partners')).status, 401);
    assert.equal((await counted(gw, operatorToken, 'GET', '/partners')).status, 200);
  });

  it('answers 429 with Retry-After past ADMIN_RATE_LIMIT requests a minute from one address, good tokens or bad', async () => {
    const statuses: number[] = [];
    for (let i = 0; requests < 6; i++) statuses.push((await counted(gw, i % 2 ? operatorToken : 'guess', 'GET', '/partners')).status);
    assert.deepEqual(
      statuses,
      statuses.map((_, i) => (i % 2 ? 200 : 401)),
      'six requests in all are allowed, bad tokens and good',
    );
    assert.ok(statuses.length >= 4);
    const limited = await counted(gw, operatorToken, 'GET', '/partners');
    assert.equal(limited.status, 429);
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(limited.body.error, 'ERR_RATE_LIMITED');
    assert.match(limited.body.message, /too many admin API requests/);
    assert.ok(limited.body.requestId);
    assert.equal((await fetch(`${gw.issuer}/healthz`)).status, 200, 'the rest of the gateway is not limited');
  });
});
