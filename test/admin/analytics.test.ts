// A shop's analytics through the admin API and the command line after real sign-ins through the
// emulators: two new Weibo accounts, a Weibo sign-in whose token exchange fails, a denial at Sohu, a QQ
// identity linked and unlinked in the account console (counted at the shop the shopper uses) — the
// numbers per provider with the upstream time measured, the CSV per day with the same numbers, a manager limited to their
// partners, and a bad window refused with a clear 400 that changes nothing.

import assert from 'node:assert/strict';
import { ANALYTICS_QUERY } from '../../src/admin/routes-analytics.ts';
import { ANALYTICS_CSV_HEADER } from '../../src/analytics/analytics-service.ts';
import { OPENAPI } from '../../src/admin/openapi.ts';
import { ManualClock } from '../../src/clock.ts';
import { signInsAtAlpha } from '../support/analytics-sign-ins.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { call, client, OPERATOR, snapshot } from './admin-client.ts';
import { denglu } from './cli-process.ts';

describe('analytics: admin API and command line', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let alphaManager: string;
  let betaManager: string;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    const api = client(gw, OPERATOR);
    alphaManager = (await api.post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token;
    betaManager = (await api.post('/managers', { name: 'Beta manager', partners: ['beta'] })).body.token;
    await signInsAtAlpha(gw);
  });
  after(async () => {
    await gw.close();
  });

  it('answers per provider: outcomes, new accounts, links, unlinks, failure rate and upstream time', async () => {
    const r = await client(gw, alphaManager).get('/partners/alpha/analytics');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.days, 30);
    assert.equal(r.body.to, '2013-09-20');
    const of = (m: string) => r.body.providers.find((p: { method: string }) => p.method === m);
    const weibo = of('weibo');
    assert.deepEqual(weibo.signIns, { success: 2, denied: 0, upstream_failure: 1, refused: 0, total: 3 });
    assert.equal(weibo.created, 2);
    assert.equal(weibo.upstreamFailureRate, 0.3333);
    assert.equal(weibo.upstream.timed, 3, 'two sign-ins and the failed one called Weibo');
    assert.equal(typeof weibo.upstream.medianMs, 'number');
    assert.ok(weibo.upstream.p95Ms >= weibo.upstream.medianMs);
    assert.deepEqual(of('sohu').signIns, { success: 0, denied: 1, upstream_failure: 0, refused: 0, total: 1 });
    assert.equal(of('sohu').upstream.timed, 0, 'a denial never reaches the token endpoint');
    assert.deepEqual([of('qq').links, of('qq').unlinks], [1, 1]);
    assert.equal(of('qq').signIns.total, 0, 'a link from the account console is no sign-in at the shop');
    assert.deepEqual(r.body.perDay.at(-1).methods.weibo, { success: 2, denied: 0, upstream_failure: 1, refused: 0 });
    const beta = await client(gw, OPERATOR).get('/partners/beta/analytics?days=7');
    assert.equal(beta.status, 200);
    assert.equal(beta.body.perDay.length, 7);
    assert.ok(
      beta.body.providers.every((p: { signIns: { total: number }; links: number }) => p.signIns.total === 0 && p.links === 0),
      "nothing of alpha's at beta (Ana never used beta)",
    );
  });

  it('exports the days as CSV', async () => {
    const r = await call(gw, alphaManager, 'GET', '/partners/alpha/analytics?days=7&format=csv');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /analytics-alpha-7d\.csv/);
    const lines = String(r.body).trimEnd().split('\r\n');
    assert.equal(lines[0], ANALYTICS_CSV_HEADER.join(','));
    assert.ok(lines[0]!.startsWith('day,method,success,denied,upstream_failure,refused,'), 'the columns of old first, in order');
    // The day's numbers as the JSON counts them: new accounts, links, unlinks, failure rate and upstream time.
    const json = (await client(gw, alphaManager).get('/partners/alpha/analytics?days=7')).body;
    const weibo = json.providers.find((p: { method: string }) => p.method === 'weibo');
    assert.ok(lines.includes(`2013-09-20,weibo,2,0,1,0,2,0,0,0.3333,3,${weibo.upstream.medianMs},${weibo.upstream.p95Ms}`), lines.join('\n'));
    assert.ok(lines.includes('2013-09-20,qq,0,0,0,0,0,1,1,,0,,'), 'links and unlinks; no rate or time without attempts');
    assert.ok(lines.includes('2013-09-20,sohu,0,1,0,0,0,0,0,0,0,,'), 'a denial: a failure rate of 0, nothing timed');
    assert.equal(lines.length, 1 + 7 * json.providers.length, 'a row per day and method');
  });

  it("refuses a manager another partner's analytics, and a bad window with a clear 400 that changes nothing", async () => {
    assert.equal((await client(gw, betaManager).get('/partners/alpha/analytics')).status, 403);
    assert.equal((await call(gw, betaManager, 'GET', '/partners/alpha/analytics?format=csv')).status, 403);
    assert.equal((await client(gw, OPERATOR).get('/partners/nobody/analytics')).status, 404);
    const before = await snapshot(gw, 'alpha');
    const days = await gw.store.count('login_days');
    for (const bad of ['abc', '0', '401', '2.5']) {
      const r = await client(gw, alphaManager).get(`/partners/alpha/analytics?days=${bad}`);
      assert.equal(r.status, 400, bad);
      assert.deepEqual(
        r.body.problems.map((p: { field: string; message: string }) => [p.field, p.message]),
        [['days', 'must be a whole number of days from 1 to 400']],
      );
    }
    const twice = await client(gw, alphaManager).get('/partners/alpha/analytics?days=7&days=30');
    assert.equal(twice.status, 400);
    const unknown = await client(gw, alphaManager).get('/partners/alpha/analytics?weeks=2');
    assert.equal(unknown.body.problems[0].field, 'weeks');
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
    assert.equal(await gw.store.count('login_days'), days);
  });

  it('documents the query parameters the route accepts, and the CSV header', () => {
    const op = (OPENAPI.paths as any)['/partners/{id}/analytics'].get;
    assert.equal(op.responses['200'].content['text/csv'].schema.description, `Header \`${ANALYTICS_CSV_HEADER.join(',')}\``);
    const names = op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    assert.deepEqual(names.sort(), Object.keys(ANALYTICS_QUERY.shape).sort());
  });

  it('prints a table with `denglu analytics`, JSON with --json, CSV with --csv', async () => {
    const env = { DENGLU_URL: gw.issuer, DENGLU_TOKEN: alphaManager };
    const text = await denglu(['analytics', 'alpha', '--days', '7'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Sign-ins at alpha, last 7 days \(2013-09-14 – 2013-09-20, days in Asia\/Shanghai\)/);
    assert.match(text.stdout, /^PROVIDER\s+SUCCESS\s+DENIED\s+UPSTREAM FAILED/m);
    // Methods by the labels the pages use, not their ids.
    assert.match(text.stdout, /^Weibo\s+2\s+0\s+1\s+0\s+2\s+0\s+0\s+33\.3%\s+\d+ ms\s+\d+ ms$/m);
    assert.match(text.stdout, /^QQ\s+0\s+0\s+0\s+0\s+0\s+1\s+1\s+—\s+—\s+—$/m);
    assert.doesNotMatch(text.stdout, /^weibo\s/m);
    const json = await denglu(['analytics', 'alpha', '--json'], env);
    assert.equal(JSON.parse(json.stdout).days, 30);
    const labels = JSON.parse(json.stdout).labels;
    assert.deepEqual(labels.weibo, { 'zh-CN': '微博', en: 'Weibo' });
    assert.deepEqual(
      Object.keys(labels).sort(),
      JSON.parse(json.stdout)
        .providers.map((p: { method: string }) => p.method)
        .sort(),
      'a label for each method listed',
    );
    assert.equal(JSON.parse(json.stdout).timeZone, 'Asia/Shanghai', 'the days are dates in the shop zone');
    const csv = await denglu(['analytics', 'alpha', '--csv'], env);
    assert.match(csv.stdout, /^day,method,success,denied,upstream_failure,refused,new_accounts,links,unlinks,/);
    const refused = await denglu(['analytics', 'alpha', '--days', 'abc'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /days/);
    assert.equal((await denglu(['analytics', 'alpha'], { ...env, DENGLU_TOKEN: betaManager })).code, 4);
  });
});
