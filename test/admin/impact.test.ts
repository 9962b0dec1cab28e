// The impact report through the admin API and the command line: JSON counts at the scheduled cutoff and at
// one only considered, the CSV of affected shoppers by the shop's own pairwise `sub` (never an account id),
// a manager limited to their partners, clear refusals (no cutoff scheduled, a bad instant, an unknown
// provider), the methods' labels next to their ids, and `denglu impact` printing the groups by label,
// --json and --csv.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { pairwiseSubject } from '../../src/oidc/pairwise.ts';
import { loadPairwiseSalt } from '../../src/oidc/secrets.ts';
import { impactQuery } from '../../src/admin/routes-impact.ts';
import { OPENAPI } from '../../src/admin/openapi.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { seedImpactShoppers } from '../support/impact-shoppers.ts';
import { call, client, OPERATOR } from './admin-client.ts';
import { denglu } from './cli-process.ts';

const NOW = '2013-09-20T10:00:00+08:00';

describe('impact report: admin API and command line', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let betaManager: string;
  let alphaManager: string;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    const api = client(gw, OPERATOR);
    betaManager = (await api.post('/managers', { name: 'Beta manager', partners: ['beta'] })).body.token;
    alphaManager = (await api.post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token;
    const scheduled = await api.put('/partners/alpha/integrations/weibo', {
      noticeAt: '2013-09-10T00:00+08:00',
      cutoffAt: '2013-09-25T00:00+08:00',
      graceEndsAt: '2013-10-25T00:00+08:00',
    });
    assert.equal(scheduled.status, 200, JSON.stringify(scheduled.body));
    clock.set(NOW);
    await seedImpactShoppers(gw.store, clock);
    const sohu = await api.put('/partners/alpha/integrations/sohu', { cutoffAt: '2013-09-24T00:00+08:00' });
    assert.equal(sohu.status, 200, JSON.stringify(sohu.body));
  });
  after(async () => {
    await gw.close();
  });

  it('answers the groups, the sign-ins of the last 30 days, migration and projection at the scheduled cutoff', async () => {
    const r = await client(gw, alphaManager).get('/partners/alpha/integrations/weibo/impact');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.considered, false);
    assert.equal(r.body.cutoffAt, '2013-09-25T00:00:00.000+08:00');
    assert.deepEqual(r.body.shoppers, { active: 6, unaffected: 1, affected: 5, stranded: 2, atRisk: 1, safe: 2 });
    assert.deepEqual(r.body.providerSignIns30d, { stranded: 2, atRisk: 1, safe: 2, total: 5 });
    assert.equal(r.body.migration.migrated, 1);
    assert.equal(typeof r.body.projection.strandedAtCutoff, 'number');
    // Sohu ends before the cutoff (its own schedule); Weibo is the one ending.
    assert.ok(
      ['qq', 'password'].every((m) => r.body.waysAtCutoff.includes(m)),
      r.body.waysAtCutoff.join(),
    );
    assert.ok(!r.body.waysAtCutoff.includes('sohu') && !r.body.waysAtCutoff.includes('weibo'));
    // Next to the ids, what the pages call each method, in both languages.
    assert.deepEqual(r.body.labels.weibo, { 'zh-CN': '微博', en: 'Weibo' });
    assert.deepEqual(r.body.labels.qq, { 'zh-CN': 'QQ', en: 'QQ' });
    assert.deepEqual(Object.keys(r.body.labels).sort(), ['weibo', ...r.body.waysAtCutoff].sort(), 'the provider and every way at the cutoff');
    assert.equal(r.body.labels.password.en, 'email and password');
    assert.ok(!('list' in r.body), 'JSON carries counts only');
    assert.ok(!JSON.stringify(r.body).includes('stranded-1'), 'no account id');
  });

  it('recounts at a cutoff only considered: before Sohu ends, its shopper is safe', async () => {
    const r = await client(gw, OPERATOR).get(`/partners/alpha/integrations/weibo/impact?cutoff=${encodeURIComponent('2013-09-23T00:00+08:00')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.considered, true);
    assert.equal(r.body.shoppers.stranded, 1);
    assert.equal(r.body.graceEndsAt, '2013-10-23T00:00:00.000+08:00', "the scheduled grace's length after it");
  });

  it("exports the affected shoppers as CSV named by the shop's pairwise sub", async () => {
    const r = await call(gw, OPERATOR, 'GET', '/partners/alpha/integrations/weibo/impact?format=csv');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(r.headers.get('content-disposition') ?? '', /impact-alpha-weibo-cutoff-2013-09-25\.csv/);
    const lines = String(r.body).trimEnd().split('\r\n');
    assert.equal(lines[0], 'sub,group,last_sign_in_with_provider,provider_sign_ins_30d,ways_at_cutoff');
    assert.equal(lines.length, 6);
    const salt = await loadPairwiseSalt(gw.store, gw.config.pairwiseSalt);
    const row = lines.find((l) => l.startsWith(`${pairwiseSubject(salt, 'alpha', 'at-risk')},`));
    assert.ok(row, 'the at-risk shopper by their pairwise sub at alpha');
    assert.match(row!, /,at_risk,2013-09-18T02:00:00\.000Z,1,qq$/);
    assert.ok(!String(r.body).includes('stranded-1'), 'no account id');
    const viaAccept = await call(gw, OPERATOR, 'GET', '/partners/alpha/integrations/weibo/impact', undefined, { headers: { accept: 'text/csv' } });
    assert.match(viaAccept.headers.get('content-type') ?? '', /^text\/csv/);
  });

  it("refuses a manager another partner's report, and says what is wrong with a request", async () => {
    const other = await client(gw, betaManager).get('/partners/alpha/integrations/weibo/impact');
    assert.equal(other.status, 403);
    const csv = await call(gw, betaManager, 'GET', '/partners/alpha/integrations/weibo/impact?format=csv');
    assert.equal(csv.status, 403);
    const none = await client(gw, OPERATOR).get('/partners/alpha/integrations/qq/impact');
    assert.equal(none.status, 400);
    assert.equal(none.body.problems[0].field, 'cutoff');
    const bad = await client(gw, OPERATOR).get('/partners/alpha/integrations/weibo/impact?cutoff=2013-09-25');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.problems[0].field, 'cutoff');
    const days = await client(gw, OPERATOR).get('/partners/alpha/integrations/weibo/impact?activeDays=0');
    assert.equal(days.status, 400);
    assert.equal(days.body.problems[0].field, 'activeDays');
    const unknown = await client(gw, OPERATOR).get('/partners/alpha/integrations/myspace/impact');
    assert.equal(unknown.status, 400);
    const absent = await client(gw, OPERATOR).get('/partners/gamma/integrations/sohu/impact');
    assert.equal(absent.status, 404);
  });

  it('documents the query parameters the route accepts', () => {
    const op = (OPENAPI.paths as any)['/partners/{id}/integrations/{provider}/impact'].get;
    const names = op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    assert.deepEqual(names.sort(), Object.keys(impactQuery('UTC').shape).sort());
  });

  it('prints the report with `denglu impact`, as JSON with --json and as CSV with --csv', async () => {
    const env = { DENGLU_URL: gw.issuer, DENGLU_TOKEN: alphaManager };
    const text = await denglu(['impact', 'alpha', 'weibo'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Ending Weibo at alpha: cutoff 2013-09-25 00:00 \+08:00/);
    const ways = /Ways that still sign in at the cutoff: (.*)/.exec(text.stdout)?.[1] ?? '';
    assert.ok(ways.includes('QQ') && ways.includes('email and password'), ways);
    assert.ok(!/\bqq\b|\bpassword\b/.test(ways.replace('email and password', '')), `labels, not ids: ${ways}`);
    assert.match(text.stdout, /WEIBO SIGN-INS \(30 DAYS\)/);
    assert.match(text.stdout, /stranded \(no other way\)\s+2\s+2/);
    assert.match(text.stdout, /Migrated since 2013-09-10 00:00 \+08:00: 1/);
    const considered = await denglu(['impact', 'alpha', 'weibo', '--cutoff', '2013-09-23T00:00+08:00', '--json'], env);
    assert.equal(considered.code, 0, considered.stderr);
    assert.equal(JSON.parse(considered.stdout).shoppers.stranded, 1);
    assert.ok(JSON.parse(considered.stdout).waysAtCutoff.includes('qq'), '--json keeps the ids');
    const csv = await denglu(['impact', 'alpha', 'weibo', '--csv'], env);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^sub,group,/);
    const refused = await denglu(['impact', 'alpha', 'weibo', '--cutoff', 'soon'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cutoff \(--cutoff\)/);
    const forbidden = await denglu(['impact', 'alpha', 'weibo'], { ...env, DENGLU_TOKEN: betaManager });
    assert.equal(forbidden.code, 4);
  });
});
