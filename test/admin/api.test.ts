// The admin API's happy paths as the operator and a manager would walk them: create a partner, its
// clients and a manager; schedule JD's Weibo cutoff; read integrations with dates in the partner's
// zone and epoch ms; preview the login page on 20 and 26 September 2013; remove an integration; list
// and filter the audit log, which holds one entry per change with actor, before and after.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from './admin-client.ts';

const ms = (iso: string) => Date.parse(iso);

describe('admin API: happy paths', () => {
  let gw: Gateway;
  let op: ReturnType<typeof client>;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    op = client(gw, OPERATOR);
  });
  after(async () => {
    await gw.close();
  });

  const lastAudit = async (action: string) => {
    const { body } = await op.get(`/audit?action=${action}&limit=1`);
    return body.entries[0];
  };

  // The tests tell one story (create JD, add a client and a manager, schedule, preview, audit). What a test
  // needs from the steps before it is made here when it runs alone (mocha --grep), each piece only if missing.
  beforeEach(() => clock.set('2013-09-01T00:00:00+08:00'));

  const JD = { id: 'jd', name: { 'zh-CN': '京东', en: 'JD.com' }, firstParty: true };
  const NY = { id: 'ny-shop', name: { 'zh-CN': '纽约', en: 'NY' }, timeZone: 'America/New_York', locales: ['en'] };

  async function ensurePartner(body: { id: string }): Promise<void> {
    if ((await op.get(`/partners/${body.id}`)).status === 404) assert.equal((await op.post('/partners', body)).status, 201);
  }

  /** JD with the Weibo cutoff of the schedule test (added, then changed to revoke), and QQ and Sohu live. */
  async function ensureJdSchedule(): Promise<void> {
    await ensurePartner(JD);
    const has = new Set((await op.get('/partners/jd/integrations')).body.integrations.map((i: { provider: string }) => i.provider));
    if (!has.has('weibo')) {
      const schedule = { noticeAt: '2013-09-10T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00', graceEndsAt: '2013-10-25T00:00+08:00' };
      assert.equal((await op.put('/partners/jd/integrations/weibo', schedule)).status, 201);
      assert.equal((await op.put('/partners/jd/integrations/weibo', { atCutoff: 'revoke' })).status, 200);
    }
    for (const provider of ['qq', 'sohu']) if (!has.has(provider)) assert.equal((await op.put(`/partners/jd/integrations/${provider}`, {})).status, 201);
  }

  /** Every kind of change the audit test looks for: JD's creation, a client, a manager, its schedule. */
  async function ensureJdHistory(): Promise<void> {
    await ensureJdSchedule();
    const audited = async (action: string) => (await op.get(`/audit?action=${action}&limit=1`)).body.entries.length > 0;
    if (!(await audited('client.create')))
      assert.equal(
        (await op.post('/partners/jd/clients', { redirect_uris: ['https://shop.jd.test/cb'], token_endpoint_auth_method: 'client_secret_post' })).status,
        201,
      );
    if (!(await audited('manager.create'))) assert.equal((await op.post('/managers', { name: 'JD lifecycle team', partners: ['jd'] })).status, 201);
  }

  it('creates a partner with defaults, answers 409 for a taken id, and audits the creation', async () => {
    const created = await op.post('/partners', { id: 'jd', name: { 'zh-CN': '京东', en: 'JD.com' }, firstParty: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/api/admin/partners/jd');
    assert.equal(created.headers.get('cache-control'), 'no-store');
    assert.equal(created.body.timeZone, 'Asia/Shanghai');
    assert.deepEqual(created.body.locales, ['zh-CN', 'en']);
    assert.equal(created.body.createdAt, '2013-09-01T00:00:00.000+08:00');
    assert.equal(created.body.createdAtMs, ms('2013-08-31T16:00:00Z'));
    assert.deepEqual(created.body.integrations, []);

    const entry = await lastAudit('partner.create');
    assert.deepEqual(entry.actor, { kind: 'operator', id: 'operator' });
    assert.deepEqual(entry.target, { partner: 'jd' });
    assert.equal(entry.before, null);
    assert.equal(entry.after.id, 'jd');
    assert.equal(entry.at, '2013-09-01T00:00:00.000+08:00');

    const audits = await gw.store.count('audit');
    const again = await op.post('/partners', { id: 'jd', name: { 'zh-CN': '京东', en: 'JD.com' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'ERR_ALREADY_EXISTS');
    assert.equal(await gw.store.count('audit'), audits);

    const ny = await op.post('/partners', { id: 'ny-shop', name: { 'zh-CN': '纽约', en: 'NY' }, timeZone: 'America/New_York', locales: ['en'] });
    assert.equal(ny.status, 201);
    assert.equal(ny.body.createdAt, '2013-08-31T12:00:00.000-04:00');

    const one = await op.get('/partners/jd');
    assert.equal(one.status, 200);
    assert.equal(one.body.name.en, 'JD.com');
    const all = await op.get('/partners');
    const ids = all.body.partners.map((p: { id: string }) => p.id);
    for (const id of ['alpha', 'beta', 'gamma', 'jd', 'ny-shop']) assert.ok(ids.includes(id), `${id} is listed`);
  });

  it('adds OIDC clients: ids and secrets generated, the secret shown once, never audited, and the client works at /auth', async () => {
    await ensurePartner(JD);
    const res = await op.post('/partners/jd/clients', {
      client_name: 'JD web',
      redirect_uris: ['https://shop.jd.test/cb'],
      post_logout_redirect_uris: ['https://shop.jd.test/'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.client_id, /^jd-[0-9a-f]{12}$/);
    assert.ok(res.body.client_secret.length >= 43);
    const secret: string = res.body.client_secret;

    const partner = await op.get('/partners/jd');
    assert.equal(partner.body.clients.length, 1);
    assert.equal(partner.body.clients[0].client_id, res.body.client_id);
    assert.equal('client_secret' in partner.body.clients[0], false, 'the secret is never shown again');
    const entry = await lastAudit('client.create');
    assert.deepEqual(entry.target, { partner: 'jd', client: res.body.client_id });
    assert.equal(entry.before, null);
    assert.equal(entry.after.redirect_uris[0], 'https://shop.jd.test/cb');
    assert.ok(!JSON.stringify(entry).includes(secret), 'the audit log holds no client secret');

    const auth = new URL(`${gw.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: res.body.client_id,
      redirect_uri: 'https://shop.jd.test/cb',
      response_type: 'code',
      scope: 'openid',
      state: 'state-123456',
      nonce: 'nonce-123456',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })) {
      auth.searchParams.set(k, v);
    }
    const started = await fetch(auth, { redirect: 'manual' });
    assert.equal(started.status, 303, 'oidc-provider accepts the new client and starts an interaction');

    const jwt = await op.post('/partners/jd/clients', {
      redirect_uris: ['https://app.jd.test/cb'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] },
    });
    assert.equal(jwt.status, 201, JSON.stringify(jwt.body));
    assert.equal(jwt.body.client_secret, undefined, 'private_key_jwt clients have no secret');
    assert.equal(jwt.body.jwks.keys.length, 1);
  });

  it('creates a partner manager whose token is shown once and works for that partner only', async () => {
    await ensurePartner(JD);
    const res = await op.post('/managers', { name: 'JD lifecycle team', partners: ['jd'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.id, /^mgr-[0-9a-f]{10}$/);
    assert.ok(res.body.token.startsWith(`${res.body.id}.`));
    const named = await op.post('/managers', { id: 'jd-ops', name: 'JD ops', partners: ['jd', 'jd'] });
    assert.equal(named.status, 201);
    assert.deepEqual(named.body.partners, ['jd']);

    const list = await op.get('/managers');
    assert.equal(list.status, 200);
    const mine = list.body.managers.find((m: { id: string }) => m.id === res.body.id);
    assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'createdAtMs', 'id', 'name', 'partners']);
    assert.equal(mine.createdAt, new Date(clock.now()).toISOString());
    assert.equal(mine.createdAtMs, clock.now());
    assert.ok(!JSON.stringify(list.body).includes(res.body.token.split('.')[1]));

    const entries = (await op.get('/audit?action=manager.create')).body.entries;
    assert.deepEqual(entries.map((e: { target: { manager: string } }) => e.target.manager).sort(), [res.body.id, 'jd-ops'].sort());
    const entry = entries.find((e: { target: { manager: string } }) => e.target.manager === 'jd-ops');
    assert.deepEqual(entry.after, { id: 'jd-ops', name: 'JD ops', partners: ['jd'], createdAt: named.body.createdAt, createdAtMs: clock.now() });
    assert.equal(entry.before, null);
    assert.ok(!('secretHash' in entry.after));

    const manager = client(gw, res.body.token);
    const partners = await manager.get('/partners');
    assert.equal(partners.status, 200);
    assert.deepEqual(
      partners.body.partners.map((p: { id: string }) => p.id),
      ['jd'],
    );
  });

  it('schedules the JD case and reads it back in the partner zone and epoch ms, auditing before and after', async () => {
    await ensurePartner(JD);
    const put = await op.put('/partners/jd/integrations/weibo', {
      noticeAt: '2013-09-10T00:00+08:00',
      cutoffAt: '2013-09-25T00:00[Asia/Shanghai]',
      graceEndsAt: '2013-10-24T16:00Z',
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(put.body.created, true);
    assert.equal(put.body.immediate, false);
    assert.equal(put.body.now, '2013-09-01T00:00:00.000+08:00');
    const weibo = put.body.integration;
    assert.equal(weibo.phase, 'live');
    assert.deepEqual(weibo.next, { phase: 'notice', at: '2013-09-10T00:00:00.000+08:00', atMs: ms('2013-09-09T16:00:00Z') });
    assert.equal(weibo.cutoffAt, '2013-09-25T00:00:00.000+08:00');
    assert.equal(weibo.cutoffAtMs, ms('2013-09-24T16:00:00Z'));
    assert.equal(weibo.graceEndsAt, '2013-10-25T00:00:00.000+08:00');
    assert.equal(weibo.atCutoff, 'keep');
    assert.equal(weibo.configured, true);
    assert.match(weibo.noticeText.en, /Weibo sign-in stops at JD.com on 25 September 2013 at 00:00 \(Beijing time\)/);

    const added = await op.get('/audit?partner=jd&action=integration.add&limit=1');
    const entry = added.body.entries[0];
    assert.deepEqual(entry.actor, { kind: 'operator', id: 'operator' });
    assert.deepEqual(entry.target, { partner: 'jd', provider: 'weibo' });
    assert.equal(entry.before, null);
    assert.equal(entry.after.cutoffAt, '2013-09-25T00:00:00.000+08:00', 'instants in before/after as everywhere in the API');
    assert.equal(entry.after.cutoffAtMs, ms('2013-09-24T16:00:00Z'));
    assert.equal(entry.after.graceEndsAt, '2013-10-25T00:00:00.000+08:00');

    const change = await op.put('/partners/jd/integrations/weibo', { atCutoff: 'revoke', notice: { en: 'Weibo sign-in ends on 25 September.' } });
    assert.equal(change.status, 200);
    assert.equal(change.body.created, false);
    const scheduled = (await op.get('/audit?partner=jd&action=integration.schedule&limit=1')).body.entries[0];
    assert.equal(scheduled.before.atCutoff, 'keep');
    assert.equal(scheduled.after.atCutoff, 'revoke');
    assert.equal(scheduled.after.notice.en, 'Weibo sign-in ends on 25 September.');

    for (const provider of ['qq', 'sohu']) assert.equal((await op.put(`/partners/jd/integrations/${provider}`, {})).status, 201);
    const list = await op.get('/partners/jd/integrations');
    assert.equal(list.status, 200);
    assert.equal(list.body.timeZone, 'Asia/Shanghai');
    assert.deepEqual(
      list.body.integrations.map((i: { provider: string; phase: string }) => `${i.provider}:${i.phase}`),
      ['weibo:live', 'qq:live', 'sohu:live'],
    );
    const one = await op.get('/partners/jd/integrations/weibo');
    assert.equal(one.status, 200);
    assert.equal(one.body.integration.atCutoff, 'revoke');
    assert.equal(one.body.integration.notice.en, 'Weibo sign-in ends on 25 September.');
  });

  it('previews the login page on 20 and 26 September 2013 (and now by default)', async () => {
    await ensureJdSchedule();
    const during = await op.get(`/partners/jd/preview?at=${encodeURIComponent('2013-09-20T10:00+08:00')}&locale=en`);
    assert.equal(during.status, 200, JSON.stringify(during.body));
    assert.equal(during.body.at, '2013-09-20T10:00:00.000+08:00');
    assert.equal(during.body.locale, 'en');
    const weibo = during.body.providers.find((p: { id: string }) => p.id === 'weibo');
    assert.equal(weibo.phase, 'notice');
    assert.equal(weibo.shown, 'button');
    assert.match(weibo.note, /^stops on 25 September 2013 at 00:00 \(Beijing time\)$/);
    assert.equal(weibo.next.at, '2013-09-25T00:00:00.000+08:00');

    // An unencoded "+" arrives as a space; the offset is still understood.
    const after = await op.get('/partners/jd/preview?at=2013-09-26T10:00+08:00');
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.equal(after.body.locale, 'zh-CN');
    const grace = after.body.providers.find((p: { id: string }) => p.id === 'weibo');
    assert.equal(grace.phase, 'grace');
    assert.equal(grace.shown, 'migrate-link');
    assert.deepEqual(
      after.body.providers.filter((p: { shown: string }) => p.shown === 'button').map((p: { id: string }) => p.id),
      ['qq', 'sohu'],
    );

    const now = await op.get('/partners/jd/preview');
    assert.equal(now.body.at, '2013-09-01T00:00:00.000+08:00');
    assert.equal(now.body.providers[0].phase, 'live');
  });

  it('removes an integration that signs nobody in, and audits it', async () => {
    await ensurePartner(NY);
    assert.equal((await op.put('/partners/ny-shop/integrations/qq', { startsAt: '2014-01-01T00:00-05:00' })).status, 201);
    const removed = await op.delete('/partners/ny-shop/integrations/qq');
    assert.equal(removed.status, 204);
    const entry = await lastAudit('integration.remove');
    assert.deepEqual(entry.target, { partner: 'ny-shop', provider: 'qq' });
    assert.equal(entry.before.provider, 'qq');
    assert.equal(entry.after, null);
    assert.equal(entry.at, '2013-08-31T12:00:00.000-04:00', 'shown in the partner zone');
    assert.equal((await op.get('/partners/ny-shop/integrations/qq')).status, 404);
  });

  it('lists the audit log newest first with filters and a cursor; every change above is there', async () => {
    await ensureJdHistory();
    const jd = await op.get('/audit?partner=jd&limit=500');
    const actions = jd.body.entries.map((e: { action: string }) => e.action);
    for (const a of ['partner.create', 'client.create', 'integration.add', 'integration.schedule']) assert.ok(actions.includes(a), `${a} is audited`);
    for (const e of jd.body.entries) {
      assert.ok(e.actor?.kind && e.actor.id, 'every entry names its actor');
      assert.ok('before' in e && 'after' in e);
    }
    const ids = jd.body.entries.map((e: { id: string }) => e.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');

    const first = await op.get('/audit?limit=2');
    assert.equal(first.body.entries.length, 2);
    assert.ok(first.body.next);
    const second = await op.get(`/audit?limit=2&before=${first.body.next}`);
    assert.ok(second.body.entries.every((e: { id: string }) => e.id < first.body.next));

    const byActor = await op.get('/audit?actor=operator&action=manager');
    assert.deepEqual([...new Set(byActor.body.entries.map((e: { action: string }) => e.action))], ['manager.create']);

    clock.set('2013-09-02T00:00:00+08:00');
    await op.put('/partners/jd/integrations/sohu', { atCutoff: 'revoke' });
    const window = await op.get(`/audit?from=${encodeURIComponent('2013-09-02T00:00+08:00')}&to=${encodeURIComponent('2013-09-03T00:00+08:00')}`);
    assert.deepEqual(
      window.body.entries.map((e: { target: { provider: string } }) => e.target.provider),
      ['sohu'],
    );
  });

  it('serves the OpenAPI document without a token', async () => {
    const res = await client(gw, undefined).get('/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
  });
});
