// Role separation on the admin API: the manager of alpha reads and changes alpha only. Reading or
// changing beta (or a partner that does not exist) is 403 and changes nothing (the partner document,
// the audit log and the managers stay as they were); operator-only routes are 403 for managers.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR, snapshot } from './admin-client.ts';

describe('admin API: role separation', () => {
  let gw: Gateway;
  let op: ReturnType<typeof client>;
  let alphaManager: ReturnType<typeof client>;
  let alphaManagerId: string;
  let twoShops: ReturnType<typeof client>;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    op = client(gw, OPERATOR);
    const created = await op.post('/managers', { name: 'Alpha manager', partners: ['alpha'] });
    alphaManagerId = created.body.id;
    alphaManager = client(gw, created.body.token);
    twoShops = client(gw, (await op.post('/managers', { name: 'Alpha and gamma', partners: ['alpha', 'gamma'] })).body.token);
    // Something in beta's audit log that alpha's manager must not see.
    assert.equal((await op.put('/partners/beta/integrations/qq', { atCutoff: 'revoke' })).status, 200);
  });
  after(async () => {
    await gw.close();
  });

  it('lets the manager of alpha read and schedule alpha, audited as that manager', async () => {
    assert.equal((await alphaManager.get('/partners/alpha')).status, 200);
    assert.equal((await alphaManager.get('/partners/alpha/integrations')).status, 200);
    assert.equal((await alphaManager.get('/partners/alpha/integrations/weibo')).status, 200);
    assert.equal((await alphaManager.get('/partners/alpha/preview?at=2013-09-20T10:00Z')).status, 200);
    const listed = await alphaManager.get('/partners');
    assert.deepEqual(
      listed.body.partners.map((p: { id: string }) => p.id),
      ['alpha'],
    );

    const put = await alphaManager.put('/partners/alpha/integrations/weibo', { noticeAt: '2013-09-10T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const entry = (await op.get('/audit?partner=alpha&limit=1')).body.entries[0];
    assert.deepEqual(entry.actor, { kind: 'manager', id: alphaManagerId });
    assert.equal(entry.action, 'integration.schedule');
    assert.equal(entry.before.cutoffAt, undefined);
    assert.equal(entry.after.cutoffAt, '2013-09-25T00:00:00.000+08:00');
    assert.equal(entry.after.cutoffAtMs, Date.parse('2013-09-24T16:00:00Z'));
  });

  for (const partner of ['beta', 'nowhere']) {
    it(`refuses the manager of alpha any read of ${partner} with 403`, async () => {
      const before = await snapshot(gw, 'beta');
      for (const path of [
        `/partners/${partner}`,
        `/partners/${partner}/integrations`,
        `/partners/${partner}/integrations/weibo`,
        `/partners/${partner}/preview`,
        `/audit?partner=${partner}`,
      ]) {
        const res = await alphaManager.get(path);
        assert.equal(res.status, 403, path);
        assert.equal(res.body.error, 'ERR_FORBIDDEN');
        assert.match(res.body.message, new RegExp(`do not manage partner "${partner}"`));
        assert.ok(res.body.requestId);
      }
      assert.deepEqual(await snapshot(gw, 'beta'), before);
    });

    it(`refuses the manager of alpha any change to ${partner} with 403, and nothing changes`, async () => {
      const before = await snapshot(gw, 'beta');
      const attempts = [
        await alphaManager.put(`/partners/${partner}/integrations/weibo`, { cutoffAt: '2013-09-02T00:00+08:00', effectiveImmediately: true }),
        await alphaManager.put(`/partners/${partner}/integrations/qq`, {}),
        await alphaManager.delete(`/partners/${partner}/integrations/sohu`),
      ];
      for (const res of attempts) assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.deepEqual(await snapshot(gw, 'beta'), before, 'partner document, audit count and managers unchanged');
    });
  }

  it('refuses managers the operator-only routes, even for their own partner, and nothing changes', async () => {
    const before = await snapshot(gw, 'alpha');
    const partners = await gw.store.count('partners');
    const attempts = [
      await alphaManager.post('/partners', { id: 'delta', name: { 'zh-CN': '德尔塔', en: 'Delta' } }),
      await alphaManager.post('/partners/alpha/clients', { redirect_uris: ['https://alpha.shop.test/cb2'] }),
      await alphaManager.post('/managers', { name: 'Me too', partners: ['beta'] }),
      await alphaManager.get('/managers'),
    ];
    for (const res of attempts) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.message, 'only the operator may do this');
    }
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
    assert.equal(await gw.store.count('partners'), partners);
  });

  it("shows a manager only their partners' audit entries", async () => {
    // An alpha entry of this test's own (it does not count on the scheduling test having run first).
    clock.advance(1000);
    assert.equal((await alphaManager.put('/partners/alpha/integrations/sohu', { atCutoff: 'revoke' })).status, 200);
    const own = await alphaManager.get('/audit?limit=500');
    assert.equal(own.status, 200);
    assert.ok(own.body.entries.length > 0);
    assert.ok(own.body.entries.every((e: { target: { partner?: string } }) => e.target.partner === 'alpha'));

    clock.advance(1000); // audit ids order by time; entries at one instant have no order among them
    assert.equal((await op.put('/partners/gamma/integrations/weibo', { atCutoff: 'revoke' })).status, 200);
    const merged = await twoShops.get('/audit?limit=500');
    const seen = new Set(merged.body.entries.map((e: { target: { partner?: string } }) => e.target.partner));
    assert.deepEqual([...seen].sort(), ['alpha', 'gamma']);
    const page = await twoShops.get('/audit?limit=1');
    assert.equal(page.body.entries.length, 1);
    assert.equal(page.body.entries[0].target.partner, 'gamma', 'newest first across partners');
    assert.ok(page.body.next);
    const nextPage = await twoShops.get(`/audit?limit=1&before=${page.body.next}`);
    assert.equal(nextPage.body.entries[0].target.partner, 'alpha');
    assert.equal((await twoShops.get('/audit?partner=beta')).status, 403);

    const all = await op.get('/audit?limit=500');
    assert.ok(
      all.body.entries.some((e: { target: { partner?: string } }) => e.target.partner === 'beta'),
      'the operator sees everything',
    );
  });
});
