// The impact page and the schedule form's impact preview, as a partner manager uses them at 20 September
// 2013 (alpha plays JD): the groups with a stacked bar and the migration line drawn as inline SVG (no
// script, nothing fetched), a cutoff only considered, a bad date refused next to its field, the CSV by
// pairwise sub, another partner's page refused; the schedule form previews the impact of the dates typed
// without saving anything.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { TestBrowser } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { seedImpactShoppers } from '../support/impact-shoppers.ts';
import { jd, managerBrowser, snapshot, submitForm } from './admin-browser.ts';

const count = (html: string, name: string) => Number(new RegExp(`data-${name}="(\\d+)"`).exec(html)?.[1]);

describe('admin pages: the impact of a cutoff', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let manager: TestBrowser;
  let other: TestBrowser;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  const page = () => `${gw.issuer}/admin/partners/alpha/integrations/weibo/impact`;

  before(async () => {
    gw = await startGateway({ clock, partners: jd });
    await seedImpactShoppers(gw.store, clock);
    manager = await managerBrowser(gw, 'Alpha manager', ['alpha']);
    other = await managerBrowser(gw, 'Beta manager', ['beta']);
  });
  after(async () => {
    await gw.close();
  });

  it('shows the groups, a bar and the migration line as inline SVG, linked from the timeline', async () => {
    const timeline = await manager.go(`${gw.issuer}/admin/partners/alpha`);
    assert.match(timeline.html, /data-impact-link="weibo"/);
    const p = await manager.go(page());
    assert.equal(p.status, 200);
    // Sohu is live here: the Sohu shopper is safe; only the Weibo-only one is stranded.
    assert.deepEqual([count(p.html, 'stranded'), count(p.html, 'at-risk'), count(p.html, 'safe')], [1, 1, 3]);
    assert.equal(count(p.html, 'migrated'), 1);
    assert.match(p.html, /<svg class="impact-bar"[\s\S]*?data-group="stranded"/);
    assert.match(p.html, /<svg class="impact-line"[\s\S]*?<path d="M0 /);
    assert.ok(!/<script/i.test(p.html), 'no script');
    const svgs = p.html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    assert.ok(
      svgs.every((svg) => !/(href|src)=/.test(svg)),
      'the charts fetch nothing',
    );
    // The ways left are named as the pages name them, not by their ids.
    const ways = /<p data-ways="1">([^<]*)<\/p>/.exec(p.html)?.[1] ?? '';
    assert.match(ways, /Sohu/);
    assert.doesNotMatch(ways, /\bsohu\b/);
    const zh = await managerBrowser(gw, 'Alpha zh', ['alpha'], 'zh-CN');
    const zhPage = (await zh.go(page())).html;
    assert.match(zhPage, /将无法登录/);
    assert.match(/<p data-ways="1">([^<]*)<\/p>/.exec(zhPage)?.[1] ?? '', /搜狐/);
  });

  it('recounts at a cutoff only considered, and refuses a date without offset next to its field', async () => {
    const p = await manager.go(page());
    const considered = await submitForm(manager, p, '/impact', { cutoff: '2013-12-01T00:00+08:00' });
    assert.equal(considered.status, 200);
    assert.match(considered.html, /data-considered="1"/);
    const bad = await submitForm(manager, p, '/impact', { cutoff: '2013-12-01' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /data-problem="cutoff"/);
  });

  it("downloads the CSV by the shop's pairwise sub, and refuses another partner's manager", async () => {
    const csv = await manager.go(`${page()}.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(csv.html.trimEnd().split('\r\n').length, 6);
    assert.ok(!csv.html.includes('stranded-1'), 'no account id');
    const refused = await other.go(page());
    assert.ok(refused.status === 403 || refused.status === 404, `refused: ${refused.status}`);
    assert.ok(!/data-stranded/.test(refused.html));
    assert.notEqual((await other.go(`${page()}.csv`)).status, 200);
  });

  it('previews the impact of the dates typed in the schedule form without saving them', async () => {
    const before = await snapshot(gw, 'alpha');
    const form = await manager.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    assert.match(form.html, /data-impact-preview="1"/);
    const preview = await submitForm(manager, form, '/integrations/weibo', { cutoffAt: '2013-10-01T00:00+08:00', intent: 'impact' });
    assert.equal(preview.status, 200);
    assert.match(preview.html, /class="impact-preview"/);
    assert.equal(count(preview.html, 'stranded'), 1);
    assert.match(preview.html, /data-considered="1"/);
    assert.match(/<p data-ways="1">([^<]*)<\/p>/.exec(preview.html)?.[1] ?? '', /Sohu/);
    assert.match(preview.html, /value="2013-10-01T00:00\+08:00"/, 'the form keeps what was typed');
    assert.deepEqual(await snapshot(gw, 'alpha'), before, 'nothing saved');
    const cleared = await submitForm(manager, form, '/integrations/weibo', { cutoffAt: '', graceEndsAt: '', intent: 'impact' });
    assert.match(cleared.html, /data-impact-note="1"/);
  });
});
