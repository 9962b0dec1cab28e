// Bad inputs to the admin API get clear JSON errors naming the field and the rule, and change nothing:
// bare local times, reversed dates, unknown provider or partner, malformed JSON, wrong types, unknown
// fields, a past cutoff without "effectiveImmediately" (and the immediate cutoff with it), unsafe
// redirect URIs (security.md D1), bad partner, client and manager bodies.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { redirectUriProblem } from '../../src/admin/redirect-uris.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR, snapshot, type Answer } from './admin-client.ts';

describe('admin API: bad inputs', () => {
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

  /** Runs `attempt`, asserts the error and that alpha, the audit log and the managers did not change. */
  async function refused(attempt: () => Promise<Answer>, status: number, fields: string[] = []): Promise<Answer> {
    const before = await snapshot(gw, 'alpha');
    const partners = await gw.store.count('partners');
    const res = await attempt();
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(typeof res.body.error, 'string');
    assert.equal(typeof res.body.message, 'string');
    assert.ok(res.body.requestId, 'carries the request id');
    assert.equal(res.headers.get('x-request-id'), res.body.requestId);
    const named = (res.body.problems ?? []).map((p: { field: string }) => p.field);
    for (const field of fields) assert.ok(named.includes(field), `problems name ${field}: ${JSON.stringify(res.body.problems)}`);
    assert.deepEqual(await snapshot(gw, 'alpha'), before, 'nothing changed');
    assert.equal(await gw.store.count('partners'), partners);
    return res;
  }

  it('refuses a bare local time, saying an offset or time zone is needed', async () => {
    const res = await refused(() => op.put('/partners/alpha/integrations/weibo', { cutoffAt: '2013-09-25T00:00' }), 400, ['cutoffAt']);
    assert.equal(res.body.error, 'ERR_VALIDATION');
    assert.match(res.body.problems[0].message, /no offset or time zone/);
    assert.match(res.body.message, /cutoffAt: .*no offset or time zone/);
    const preview = await refused(() => op.get('/partners/alpha/preview?at=2013-09-20T10:00'), 400, ['at']);
    assert.match(preview.body.message, /no offset or time zone/);
    await refused(() => op.get('/audit?from=2013-09-20'), 400, ['from']);
  });

  it('refuses reversed dates, naming both fields', async () => {
    const res = await refused(
      () => op.put('/partners/alpha/integrations/weibo', { noticeAt: '2013-09-25T00:00+08:00', cutoffAt: '2013-09-10T00:00+08:00' }),
      400,
      ['cutoffAt'],
    );
    assert.match(res.body.problems[0].message, /must be after noticeAt/);
    await refused(() => op.put('/partners/alpha/integrations/weibo', { noticeAt: '2013-09-10T00:00+08:00' }), 400, ['noticeAt']);
  });

  it('refuses an unknown provider naming "provider", and an unknown partner with 404', async () => {
    for (const attempt of [
      () => op.put('/partners/alpha/integrations/myspace', {}),
      () => op.get('/partners/alpha/integrations/myspace'),
      () => op.delete('/partners/alpha/integrations/myspace'),
    ]) {
      const res = await refused(attempt, 400, ['provider']);
      assert.match(res.body.problems[0].message, /"myspace" is not a provider Denglu knows/);
    }
    for (const attempt of [
      () => op.get('/partners/nowhere'),
      () => op.get('/partners/nowhere/integrations'),
      () => op.put('/partners/nowhere/integrations/weibo', {}),
      () => op.delete('/partners/nowhere/integrations/weibo'),
      () => op.get('/partners/nowhere/preview'),
      () => op.post('/partners/nowhere/clients', { redirect_uris: ['https://x.test/cb'] }),
    ]) {
      const res = await refused(attempt, 404);
      assert.equal(res.body.error, 'ERR_NOT_FOUND');
      assert.match(res.body.message, /partner "nowhere" does not exist/);
    }
    await refused(() => op.get('/partners/gamma/integrations/sohu'), 404);
    await refused(() => op.get('/no-such-route'), 404);
  });

  it('refuses malformed JSON, non-JSON bodies, oversized bodies and non-object bodies', async () => {
    const malformed = await refused(() => op.raw('PUT', '/partners/alpha/integrations/weibo', '{"cutoffAt": '), 400, ['(body)']);
    assert.match(malformed.body.message, /^malformed JSON body: /);
    await refused(() => op.raw('PUT', '/partners/alpha/integrations/weibo', 'cutoffAt=2013-09-25', 'application/x-www-form-urlencoded'), 415);
    await refused(() => op.raw('PUT', '/partners/alpha/integrations/weibo', '"2013-09-25T00:00+08:00"'), 400, ['(body)']);
    await refused(() => op.put('/partners/alpha/integrations/weibo', []), 400, ['(body)']);
    const big = { notice: { en: 'x'.repeat(40 * 1024) } };
    await refused(() => op.put('/partners/alpha/integrations/weibo', big), 413, ['(body)']);
  });

  it('refuses wrong types and unknown fields, one problem per field', async () => {
    await refused(
      () =>
        op.put('/partners/alpha/integrations/weibo', {
          cutoffAt: 1380038400000,
          newAccountsDuringNotice: 'yes',
          atCutoff: 'delete',
          notice: 'hi',
          effectiveImmediately: 'true',
          cutoff: '2013-09-25T00:00+08:00',
        }),
      400,
      ['cutoffAt', 'newAccountsDuringNotice', 'atCutoff', 'notice', 'effectiveImmediately', 'cutoff'],
    );
    await refused(() => op.get('/partners/alpha/preview?locale=fr&when=now'), 400, ['locale', 'when']);
    await refused(() => op.get('/audit?limit=0&before=yesterday'), 400, ['limit', 'before']);
    const repeated = await refused(() => op.get('/audit?limit=5&limit=6&from=2013-09-20&colour=red'), 400);
    assert.deepEqual(repeated.body.problems.map((p: { field: string; message: string }) => `${p.field}: ${p.message.split(';')[0]}`).sort(), [
      'colour: is not a known query parameter (known: partner, account, actor, action, from, to, limit, before)',
      'from: "2013-09-20" has no offset or time zone, so it could mean different instants',
      'limit: must be given once',
    ]);
  });

  it('refuses a cutoff in the past without "effectiveImmediately", and applies it with', async () => {
    const res = await refused(() => op.put('/partners/alpha/integrations/sohu', { cutoffAt: '2013-08-01T00:00+08:00' }), 400, ['cutoffAt']);
    assert.match(res.body.problems[0].message, /effectiveImmediately/);
    const audits = await gw.store.count('audit');
    const ok = await op.put('/partners/alpha/integrations/sohu', { cutoffAt: '2013-08-01T00:00+08:00', effectiveImmediately: true });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.immediate, true);
    assert.equal(ok.body.integration.phase, 'grace');
    assert.equal(await gw.store.count('audit'), audits + 1);
  });

  it('applies an immediate cutoff with "effectiveImmediately" alone (cutoff = now)', async () => {
    const ok = await op.put('/partners/alpha/integrations/qq', { effectiveImmediately: true });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.immediate, true);
    assert.equal(ok.body.integration.cutoffAtMs, clock.now());
    assert.equal(ok.body.integration.phase, 'grace');
    const entry = (await op.get('/audit?partner=alpha&limit=1')).body.entries[0];
    assert.equal(entry.after.effectiveImmediately, true);
  });

  it('refuses to remove an integration that still signs shoppers in', async () => {
    const res = await refused(() => op.delete('/partners/alpha/integrations/weibo'), 400, ['provider']);
    assert.match(res.body.problems[0].message, /schedule a cutoff/);
  });

  it('refuses bad partner bodies, naming every field', async () => {
    await refused(
      () => op.post('/partners', { id: 'JD!', name: { 'zh-CN': '京东', fr: 'JD' }, timeZone: 'Mars/Olympus', locales: ['fr'], firstParty: 'yes', extra: 1 }),
      400,
      ['id', 'name.en', 'name.fr', 'timeZone', 'locales', 'firstParty', 'extra'],
    );
    await refused(() => op.post('/partners', { name: { 'zh-CN': '京东', en: 'JD' } }), 400, ['id']);
    await refused(() => op.post('/partners', { id: 'alpha', name: { 'zh-CN': '阿', en: 'A' } }), 409);
  });

  const BAD_REDIRECTS: [string, RegExp][] = [
    ['http://shop.example/cb', /https/],
    ['https://*.shop.example/cb', /wildcard/],
    ['https://shop.example/cb/*', /wildcard/],
    ['https://shop.example/cb#frag', /fragment/],
    ['https://shop.example/cb?code=x', /"code"/],
    ['https://shop.example/cb?a=1&state=x', /"state"/],
    ['https://shop.example/cb?iss=x', /"iss"/],
    ['https://shop.example@evil.tld/cb', /user info/],
    ['https://SHOP.example/cb', /normal form.*https:\/\/shop\.example\/cb/],
    ['https://shop.example/cb/../x', /normal form/],
    ['https://shop.example/%2e%2e/x', /normal form/],
    ['https://shop.example', /normal form/],
    ['/cb', /absolute https URL/],
    ['javascript:alert(1)', /https/],
    ['shop.example/cb', /absolute https URL/],
  ];

  it('refuses redirect URIs that are not exact absolute https URLs (security.md D1)', async () => {
    for (const [uri, rule] of BAD_REDIRECTS) {
      const res = await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://ok.shop.test/cb', uri] }), 400, ['redirect_uris[1]']);
      assert.match(res.body.problems[0].message, rule, uri);
    }
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: [] }), 400, ['redirect_uris']);
    await refused(() => op.post('/partners/alpha/clients', {}), 400, ['redirect_uris']);
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb', 'https://a.test/cb'] }), 400, ['redirect_uris[1]']);
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb'], post_logout_redirect_uris: ['http://a.test/'] }), 400, [
      'post_logout_redirect_uris[0]',
    ]);
    // Loopback http is fine outside production, refused in production.
    assert.equal(redirectUriProblem('http://localhost:3100/callback', false), undefined);
    assert.equal(redirectUriProblem('http://127.0.0.1:8080/cb', false), undefined);
    assert.equal(redirectUriProblem('https://shop.example/cb?from=app', false), undefined);
    assert.match(redirectUriProblem('http://localhost:3100/callback', true)!, /refused in production/);
    const ok = await op.post('/partners/alpha/clients', { redirect_uris: ['http://localhost:3100/callback'] });
    assert.equal(ok.status, 201);
  });

  it('refuses bad client auth settings: jwks only and always for private_key_jwt, public keys only', async () => {
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb'], token_endpoint_auth_method: 'client_secret_jwt' }), 400, [
      'token_endpoint_auth_method',
    ]);
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb'], token_endpoint_auth_method: 'private_key_jwt' }), 400, [
      'jwks',
    ]);
    await refused(
      () =>
        op.post('/partners/alpha/clients', {
          redirect_uris: ['https://a.test/cb'],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
        }),
      400,
      ['jwks.keys[0]'],
    );
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb'], jwks: { keys: [{ kty: 'EC' }] } }), 400, ['jwks']);
    await refused(() => op.post('/partners/alpha/clients', { redirect_uris: ['https://a.test/cb'], client_id: 'mine', client_secret: 'mine' }), 400, [
      'client_id',
      'client_secret',
    ]);
  });

  it('reports every problem of a body at once, each naming its field and rule', async () => {
    const problemsOf = (res: Answer): Record<string, string> =>
      Object.fromEntries(res.body.problems.map((p: { field: string; message: string }) => [p.field, p.message]));
    const clientRes = await refused(
      () =>
        op.post('/partners/alpha/clients', {
          client_name: '   ',
          redirect_uris: ['https://ok.shop.test/cb', 'http://shop.example/cb', 7],
          post_logout_redirect_uris: 'https://ok.shop.test/',
          token_endpoint_auth_method: 'client_secret_jwt',
          nonce_instead_of_pkce: 'yes',
          grant_types: ['implicit'],
        }),
      400,
    );
    const client = problemsOf(clientRes);
    assert.equal(clientRes.body.problems.length, Object.keys(client).length, 'one problem per field (a string where a list belongs is a type problem only)');
    assert.deepEqual(Object.keys(client).sort(), [
      'client_name',
      'grant_types',
      'nonce_instead_of_pkce',
      'post_logout_redirect_uris',
      'redirect_uris[1]',
      'redirect_uris[2]',
      'token_endpoint_auth_method',
    ]);
    assert.match(client.client_name!, /non-empty string/);
    assert.match(client['redirect_uris[1]']!, /https/);
    assert.match(client['redirect_uris[2]']!, /absolute https URL/);
    assert.match(client.post_logout_redirect_uris!, /array of absolute https URLs/);
    assert.match(client.token_endpoint_auth_method!, /must be one of .*none/);
    assert.match(client.nonce_instead_of_pkce!, /true or false/);
    assert.match(client.grant_types!, /not a known field \(known: client_name, redirect_uris/);
    for (const [field, message] of Object.entries(client)) assert.ok(clientRes.body.message.includes(`${field}: ${message}`), `the message lists ${field}`);

    const manager = problemsOf(
      await refused(() => op.post('/managers', { id: '-x', name: 'x'.repeat(101), partners: ['alpha', 'nowhere', 'Not A Slug'], role: 'admin' }), 400),
    );
    assert.deepEqual(Object.keys(manager).sort(), ['id', 'name', 'partners[1]', 'partners[2]', 'role']);
    assert.match(manager.name!, /at most 100 characters/);
    assert.match(manager['partners[1]']!, /partner "nowhere" does not exist/);
    assert.match(manager['partners[2]']!, /must be a partner id/);

    const partner = problemsOf(
      await refused(() => op.post('/partners', { id: 'new-shop', name: { 'zh-CN': ' ', en: 'x'.repeat(101) }, locales: ['en', 'en'] }), 400),
    );
    assert.deepEqual(Object.keys(partner).sort(), ['locales', 'name.en', 'name.zh-CN']);

    const schedule = problemsOf(
      await refused(() => op.put('/partners/alpha/integrations/weibo', { noticeAt: '2013-09-10T00:00', notice: { en: '', de: 'x' }, atCutoff: null }), 400),
    );
    assert.deepEqual(Object.keys(schedule).sort(), ['atCutoff', 'notice.de', 'notice.en', 'noticeAt']);
    assert.match(schedule.noticeAt!, /no offset or time zone/);
  });

  it('refuses bad manager bodies: partners must exist', async () => {
    await refused(() => op.post('/managers', { name: 'X', partners: ['alpha', 'nowhere'] }), 400, ['partners[1]']);
    await refused(() => op.post('/managers', { partners: [] }), 400, ['name', 'partners']);
    await refused(() => op.post('/managers', { id: 'Bad.Id', name: 'X', partners: ['alpha'] }), 400, ['id']);
  });
});
