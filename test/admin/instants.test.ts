// Instants at the admin API (issue 12): impossible UTC offsets are refused; every instant a refusal
// suggests is accepted exactly as given, and is written in the partner's time zone (not always
// Asia/Shanghai); the audit log shows the instants inside `before`/`after` as the rest of the API does.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from './admin-client.ts';
import { suggestedInstants, withBerlinPartner } from '../support/suggested-instants.ts';

describe('admin API: instants', () => {
  let gw: Gateway;
  let op: ReturnType<typeof client>;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({
      clock,
      partners: withBerlinPartner,
    });
    op = client(gw, OPERATOR);
  });
  after(async () => {
    await gw.close();
  });

  it('refuses UTC offsets no clock uses (+99:00, -99:59, +18:01), changing nothing', async () => {
    for (const cutoffAt of ['2013-10-26T00:00+99:00', '2013-10-26T00:00-99:59', '2013-10-26T00:00+18:01', '2013-10-26T00:00+08:60']) {
      const before = JSON.stringify(await gw.store.get('partners', 'berlin'));
      const res = await op.put('/partners/berlin/integrations/weibo', { cutoffAt });
      assert.equal(res.status, 400, `${cutoffAt}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.problems[0].field, 'cutoffAt');
      assert.match(res.body.problems[0].message, /UTC offset no clock uses/);
      assert.equal(JSON.stringify(await gw.store.get('partners', 'berlin')), before, 'nothing changed');
    }
  });

  it("every suggestion in a schedule refusal is accepted as given, and is in the partner's zone", async () => {
    const bad = [
      '2013-10-26',
      '2013-10-26T10:00',
      '2013-10-26T00:00+99:00',
      '2014-10-26T02:30[Europe/Berlin]',
      '2014-03-30T02:30[Europe/Berlin]',
      'next tuesday',
      '2013-10-26T10:00[Europe/Nowhere]',
    ];
    let tried = 0;
    for (const input of bad) {
      const refused = await op.put('/partners/berlin/integrations/weibo', { cutoffAt: input });
      assert.equal(refused.status, 400, input);
      const message: string = refused.body.problems[0].message;
      assert.ok(!/Asia\/Shanghai|\+08:00/.test(message), `a Berlin partner gets Berlin suggestions: ${message}`);
      const suggestions = suggestedInstants(message);
      assert.ok(suggestions.length > 0, `${input}: a suggestion in "${message}"`);
      for (const suggestion of suggestions) {
        const res = await op.put('/partners/berlin/integrations/weibo', { cutoffAt: suggestion });
        assert.ok(res.status === 200 || res.status === 201, `${input} → suggested ${suggestion} → ${res.status} ${JSON.stringify(res.body)}`);
        tried++;
      }
    }
    assert.ok(tried >= bad.length);
    const date = await op.put('/partners/berlin/integrations/weibo', { cutoffAt: '2013-10-26' });
    assert.match(date.body.problems[0].message, /write 2013-10-26T00:00\+02:00 or 2013-10-26T00:00\[Europe\/Berlin\]$/);
    const shanghai = await op.put('/partners/alpha/integrations/weibo', { cutoffAt: '2013-10-26' });
    assert.match(shanghai.body.problems[0].message, /write 2013-10-26T00:00\+08:00 or 2013-10-26T00:00\[Asia\/Shanghai\]$/);
    assert.equal((await op.put('/partners/alpha/integrations/weibo', { cutoffAt: '2013-10-26T00:00+08:00' })).status, 200);
  });

  it("preview and audit filters suggest in the partner's zone too, and accept what they suggest", async () => {
    const preview = await op.get('/partners/berlin/preview?at=2013-10-26');
    assert.equal(preview.status, 400);
    for (const s of suggestedInstants(preview.body.problems[0].message)) {
      assert.match(s, /\+02:00|Europe\/Berlin/);
      assert.equal((await op.get(`/partners/berlin/preview?at=${encodeURIComponent(s)}`)).status, 200, s);
    }
    const audit = await op.get('/audit?partner=berlin&from=2013-10-26');
    assert.equal(audit.status, 400);
    const suggested = suggestedInstants(audit.body.problems[0].message);
    assert.ok(
      suggested.some((s) => s.includes('Europe/Berlin')),
      audit.body.problems[0].message,
    );
    for (const s of suggested) assert.equal((await op.get(`/audit?partner=berlin&from=${encodeURIComponent(s)}`)).status, 200, s);
  });

  it("the audit log gives the instants in before/after as ISO in the partner's zone plus …Ms, like everywhere else", async () => {
    clock.advance(60_000); // audit ids sort by time: each change its own minute
    await op.put('/partners/berlin/integrations/qq', { noticeAt: '2013-09-10T00:00+02:00', cutoffAt: '2013-09-25T00:00[Europe/Berlin]' });
    clock.advance(60_000);
    await op.put('/partners/berlin/integrations/qq', { cutoffAt: '2013-09-26T00:00[Europe/Berlin]' });
    const entry = (await op.get('/audit?partner=berlin&action=integration.schedule&limit=1')).body.entries[0];
    assert.equal(entry.timeZone, 'Europe/Berlin');
    assert.equal(entry.before.cutoffAt, '2013-09-25T00:00:00.000+02:00');
    assert.equal(entry.before.cutoffAtMs, Date.parse('2013-09-24T22:00:00Z'));
    assert.equal(entry.after.cutoffAt, '2013-09-26T00:00:00.000+02:00');
    assert.equal(entry.after.cutoffAtMs, Date.parse('2013-09-25T22:00:00Z'));
    assert.equal(entry.after.noticeAt, '2013-09-10T00:00:00.000+02:00');
    const integration = (await op.get('/partners/berlin/integrations/qq')).body.integration;
    assert.equal(entry.after.cutoffAt, integration.cutoffAt, 'the same text the integration itself is read back with');
    // Nested states too (a partner's creation carries its integrations and its own timestamps).
    clock.advance(60_000);
    const created = (await op.post('/partners', { id: 'kathmandu', name: { en: 'K', 'zh-CN': 'K' }, timeZone: 'Asia/Kathmandu' })).body;
    assert.ok(created, 'partner created');
    const creation = (await op.get('/audit?partner=kathmandu&action=partner.create&limit=1')).body.entries[0];
    assert.equal(creation.after.createdAtMs, clock.now());
    assert.match(creation.after.createdAt, /^2013-\d\d-\d\dT\d\d:\d\d:00\.000\+05:45$/);
    for (const entry of (await op.get('/audit?limit=500')).body.entries) {
      for (const [key, value] of Object.entries({ ...entry.before, ...entry.after })) {
        if (key.endsWith('At')) assert.equal(typeof value, 'string', `${entry.action} ${key} is ISO text`);
      }
    }
  });
});
