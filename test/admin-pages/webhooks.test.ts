// The webhooks admin page: a manager adds an endpoint of their partner (the secret shown on that answer
// only), sees bad input refused per field (nothing added), sees the delivery log with response codes,
// removes the endpoint; another partner's page and POSTs are 403 and change nothing; the page speaks Chinese.

import assert from 'node:assert/strict';
import { linkIdentity } from '../../src/accounts/link.ts';
import { ManualClock } from '../../src/clock.ts';
import type { TestBrowser } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { shopper } from '../webhooks/shopper.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import { adminBrowser, createManager, formFields, signIn, snapshot } from './admin-browser.ts';

describe('admin pages: webhooks', () => {
  let gw: Gateway;
  let receiver: Receiver;
  let manager: TestBrowser;
  let managerZh: TestBrowser;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    receiver = await startReceiver();
    const m = await createManager(gw, 'Alpha manager', ['alpha']);
    manager = adminBrowser();
    await signIn(gw, manager, m.id, m.secret);
    managerZh = adminBrowser('zh-CN');
    await signIn(gw, managerZh, m.id, m.secret);
  });
  after(async () => {
    await receiver.close();
    await gw.close();
  });

  const page = () => manager.go(`${gw.issuer}/admin/partners/alpha/webhooks`);

  it('adds an endpoint, showing its secret once, and lists deliveries with their response codes', async () => {
    const empty = await page();
    assert.equal(empty.status, 200);
    assert.match(empty.html, /No endpoints yet/);
    const body = formFields(empty, '/admin/partners/alpha/webhooks');
    body.set('url', receiver.url);
    body.append('events', 'identity.linked');
    body.append('events', 'integration.phase_changed');
    const created = await manager.go(`${gw.issuer}/admin/partners/alpha/webhooks`, { method: 'POST', body });
    assert.equal(created.status, 201, created.html.slice(0, 400));
    const secret = /data-secret="1">(whsec_[^<]+)</.exec(created.html)?.[1];
    assert.ok(secret, 'the secret is on the answer');
    const again = await page();
    assert.ok(!again.html.includes(secret!), 'and never again');
    assert.match(again.html, /Shopper linked a sign-in method/);

    await gw.store.create('accounts', 'acc-page', shopper('acc-page', ['alpha'], clock.now()));
    receiver.status = 500;
    await linkIdentity(gw.store, clock, 'acc-page', { provider: 'qq', subject: 'q', keys: ['qq:openid:q'], displayName: 'Q' } as never);
    await gw.denglu.webhooks.tick();
    receiver.status = 200;
    clock.advance(30_000);
    await gw.denglu.webhooks.tick();
    const log = await page();
    assert.match(log.html, /data-state="delivered"/);
    assert.match(log.html, /data-status="500"/);
    assert.match(log.html, /data-status="200"/);
    const zh = await managerZh.go(`${gw.issuer}/admin/partners/alpha/webhooks`);
    assert.match(zh.html, /发送记录/);
    assert.match(zh.html, /已送达/);
  });

  it('refuses a bad URL and no events per field, adding nothing', async () => {
    const before = (await page()).html.match(/data-endpoint=/g)?.length ?? 0;
    const body = new URLSearchParams({ _csrf: formFields(await page(), '/admin/logout').get('_csrf')! });
    body.set('url', 'ftp://example.com/');
    body.delete('events');
    const refused = await manager.go(`${gw.issuer}/admin/partners/alpha/webhooks`, { method: 'POST', body });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /data-problem-field="url"/);
    assert.match(refused.html, /data-problem-field="events"/);
    assert.equal((await page()).html.match(/data-endpoint=/g)?.length ?? 0, before);
  });

  it('removes an endpoint', async () => {
    const listed = await page();
    const id = /data-endpoint="(we_[^"]+)"/.exec(listed.html)![1]!;
    const body = formFields(listed, `/webhooks/${id}/delete`);
    const removed = await manager.go(`${gw.issuer}/admin/partners/alpha/webhooks/${id}/delete`, { method: 'POST', body });
    assert.equal(removed.status, 200);
    assert.ok(!removed.html.includes(`data-endpoint="${id}"`));
  });

  it("shows another partner's webhooks to nobody but its managers, and refuses its POSTs", async () => {
    const before = await snapshot(gw, 'beta');
    const other = await manager.go(`${gw.issuer}/admin/partners/beta/webhooks`);
    assert.equal(other.status, 403);
    const own = await page();
    const body = new URLSearchParams({ _csrf: formFields(own, '/admin/logout').get('_csrf')! });
    body.set('url', receiver.url);
    body.append('events', 'account.deleted');
    const post = await manager.go(`${gw.issuer}/admin/partners/beta/webhooks`, { method: 'POST', body });
    assert.equal(post.status, 403);
    assert.deepEqual(await snapshot(gw, 'beta'), before);
  });
});
