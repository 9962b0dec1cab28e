// The audit log page: a change made through the schedule form is listed with its time in the partner's
// zone, actor, action, target and the changed fields before → after; filters by partner, action, actor
// and time work; pages of 20 follow a cursor; managers see only their partners' entries.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { client } from '../admin/admin-client.ts';
import { adminBrowser, createManager, OPERATOR, signIn, submitForm } from './admin-browser.ts';

const rows = (page: Page): { action: string; partner: string; actor: string; html: string }[] =>
  [...page.html.matchAll(/<tr data-audit="[^"]+" data-action="([^"]+)" data-partner="([^"]*)" data-actor="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
    action: m[1]!,
    partner: m[2]!,
    actor: m[3]!,
    html: m[4]!,
  }));

describe('admin pages: the audit log', () => {
  let gw: Gateway;
  let manager: TestBrowser;
  let operator: TestBrowser;
  let managerId: string;
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    const m = await createManager(gw, 'Alpha manager', ['alpha']);
    managerId = m.id;
    manager = adminBrowser();
    await signIn(gw, manager, m.id, m.secret);
    operator = adminBrowser();
    await signIn(gw, operator, 'operator', OPERATOR);
    clock.advance(60_000);
    // Something about beta the manager of alpha must not see.
    assert.equal((await client(gw, OPERATOR).put('/partners/beta/integrations/qq', { atCutoff: 'revoke' })).status, 200);
    clock.advance(60_000);
    const form = await manager.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    const saved = await submitForm(manager, form, '/integrations/weibo', {
      noticeAt: '2013-09-10T00:00+08:00',
      cutoffAt: '2013-09-25T00:00+08:00',
      atCutoff: 'revoke',
    });
    assert.equal(saved.url.pathname, '/admin/partners/alpha');
  });
  after(async () => {
    await gw.close();
  });

  it('lists the change with time, actor, action, target and the changed fields before → after', async () => {
    const page = await manager.go(`${gw.issuer}/admin/audit`);
    assert.equal(page.status, 200);
    const [entry] = rows(page);
    assert.equal(entry!.action, 'integration.schedule');
    assert.match(entry!.html, /1 Sep 2013, 10:02<br><span class="muted">Asia\/Shanghai/);
    assert.equal(entry!.actor, `manager:${managerId}`);
    assert.match(entry!.html, new RegExp(`partner manager ${managerId}`));
    assert.match(entry!.html, />Alpha Shop · Weibo</);
    assert.match(entry!.html, />Schedule changed<span class="action-code">integration.schedule</);
    assert.match(
      entry!.html,
      /data-change="noticeAt"><span class="field-name">Notice from<\/span>: <span class="before">—<\/span> → <span class="after">10 Sep 2013, 00:00<\/span>/,
    );
    assert.match(entry!.html, /data-change="cutoffAt">[\s\S]*?25 Sep 2013, 00:00/);
    assert.match(entry!.html, /data-change="atCutoff">[\s\S]*?keep<\/span> → <span class="after">revoke/);
    assert.doesNotMatch(entry!.html, /data-change="provider"|data-change="newAccountsDuringNotice"/, 'unchanged fields are left out');
  });

  it("shows a manager only their partners' entries and refuses another partner with 403", async () => {
    const page = await manager.go(`${gw.issuer}/admin/audit`);
    assert.ok(rows(page).length >= 1);
    assert.ok(rows(page).every((r) => r.partner === 'alpha'));
    assert.equal((await manager.go(`${gw.issuer}/admin/audit?partner=beta`)).status, 403);
    const all = await operator.go(`${gw.issuer}/admin/audit`);
    assert.ok(
      rows(all).some((r) => r.partner === 'beta'),
      'the operator sees every partner',
    );
  });

  it('filters by partner, action, actor and time', async () => {
    const form = await operator.go(`${gw.issuer}/admin/audit`);
    const byPartner = await submitForm(operator, form, '/admin/audit', { partner: 'beta' });
    assert.ok(rows(byPartner).length >= 1);
    assert.ok(rows(byPartner).every((r) => r.partner === 'beta'));
    assert.match(byPartner.html, /<option value="beta" selected>/);

    const byActor = await submitForm(operator, form, '/admin/audit', { actor: `manager:${managerId}` });
    assert.ok(rows(byActor).length >= 1 && rows(byActor).every((r) => r.actor === `manager:${managerId}`));

    const byAction = await submitForm(operator, form, '/admin/audit', { action: 'manager' });
    assert.ok(rows(byAction).length >= 1 && rows(byAction).every((r) => r.action.startsWith('manager.')));

    const from = await submitForm(operator, form, '/admin/audit', { from: '2013-09-01T10:02+08:00' });
    assert.deepEqual(
      rows(from).map((r) => r.action),
      ['integration.schedule'],
    );
    const to = await submitForm(operator, form, '/admin/audit', { to: '2013-09-01T10:02[Asia/Shanghai]' });
    assert.ok(rows(to).length >= 2 && rows(to).every((r) => r.action !== 'integration.schedule' || r.partner === 'beta'));

    const bad = await submitForm(operator, form, '/admin/audit', { from: '2013-09-01' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /data-problem="from"><strong>From<\/strong>: &#34;2013-09-01&#34; has no offset or time zone/);
  });

  it('pages through older entries with a cursor', async () => {
    for (let i = 0; i < 22; i++) {
      clock.advance(1000);
      assert.equal((await client(gw, OPERATOR).put('/partners/gamma/integrations/qq', { atCutoff: i % 2 ? 'keep' : 'revoke' })).status, 200);
    }
    const first = await operator.go(`${gw.issuer}/admin/audit?partner=gamma`);
    assert.equal(rows(first).length, 20);
    const second = await operator.click(first, '/admin/audit?partner=gamma&before=');
    assert.equal(second.status, 200);
    assert.equal(rows(second).length, 2);
    const seen = new Set([...first.html.matchAll(/data-audit="([^"]+)"/g), ...second.html.matchAll(/data-audit="([^"]+)"/g)].map((m) => m[1]));
    assert.equal(seen.size, 22, 'no entry twice, none missing');
    assert.doesNotMatch(second.html, /data-older/);
  });

  it('words every change for people in zh-CN: dates in the zone, 是/否, policies and providers by name, no JSON, no true/false', async () => {
    clock.advance(60_000);
    const put = await client(gw, OPERATOR).put('/partners/alpha/integrations/qq', {
      newAccountsDuringNotice: false,
      notice: { 'zh-CN': 'QQ 登录即将停止，请尽快关联其他登录方式。' },
      cutoffAt: '2013-11-01T00:00+08:00',
    });
    assert.equal(put.status, 200);
    const zh = adminBrowser('zh-CN');
    await signIn(gw, zh, 'operator', OPERATOR);
    const page = await zh.go(`${gw.issuer}/admin/audit?partner=alpha`);
    const [entry] = rows(page);
    assert.equal(entry!.action, 'integration.schedule');
    assert.match(entry!.html, /2013年9月1日 10:0\d<br><span class="muted">Asia\/Shanghai/);
    assert.match(entry!.html, />运营者</);
    assert.match(entry!.html, />阿尔法商店 · QQ</);
    assert.match(entry!.html, />修改计划<span class="action-code">/);
    assert.match(
      entry!.html,
      /data-change="newAccountsDuringNotice"><span class="field-name">预告期内允许新账号<\/span>：<span class="before">是<\/span> → <span class="after">否<\/span>/,
    );
    assert.match(
      entry!.html,
      /data-change="notice.zh-CN"><span class="field-name">预告文字（中文）<\/span>：<span class="before">—<\/span> → <span class="after">QQ 登录即将停止/,
    );
    assert.match(
      entry!.html,
      /data-change="cutoffAt"><span class="field-name">停止时间<\/span>：<span class="before">—<\/span> → <span class="after">2013年11月1日 00:00/,
    );
    const changes = [...page.html.matchAll(/<td class="changes"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    assert.ok(changes.length >= 2);
    for (const c of changes) assert.doesNotMatch(c.replace(/<[^>]+>/g, ''), /\btrue\b|\bfalse\b|[{}]|&#34;/, 'no JSON and no true/false');
    const all = await zh.go(`${gw.issuer}/admin/audit?partner=beta`);
    assert.match(
      all.html,
      /data-change="atCutoff"><span class="field-name">停止时的处理<\/span>：<span class="before">保留<\/span> → <span class="after">撤销<\/span>/,
    );
  });
});
