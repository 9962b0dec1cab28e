// The analytics section of a partner's page after real sign-ins (test/support/analytics-sign-ins.ts): the
// numbers per provider in a table, the sign-ins per day drawn as inline SVG lines (no script, nothing
// fetched), the 7/30/90-day choice, Chinese and English, the CSV, another partner's page refused, and a
// bad window refused with a 400 naming the problem while nothing changes.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { signInsAtAlpha } from '../support/analytics-sign-ins.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { managerBrowser, snapshot } from './admin-browser.ts';

/** The cells of provider `method`'s row, by their data-count name. */
function row(page: Page, method: string): Record<string, string> {
  const tr = new RegExp(`<tr data-analytics="${method}">([\\s\\S]*?)</tr>`).exec(page.html)?.[1];
  assert.ok(tr, `a row for ${method}`);
  return Object.fromEntries([...tr.matchAll(/data-count="(\w+)"[^>]*>([^<]*)</g)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('admin pages: the analytics of a shop', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let manager: TestBrowser;
  let other: TestBrowser;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');
  const page = (query = '') => `${gw.issuer}/admin/partners/alpha${query}`;

  before(async () => {
    gw = await startGateway({ clock });
    await signInsAtAlpha(gw);
    manager = await managerBrowser(gw, 'Alpha manager', ['alpha']);
    other = await managerBrowser(gw, 'Beta manager', ['beta']);
  });
  after(async () => {
    await gw.close();
  });

  it('shows the numbers per provider and the sign-ins per day as inline SVG lines', async () => {
    const p = await manager.go(page());
    assert.equal(p.status, 200);
    assert.match(p.html, /data-analytics-days="30"/);
    const weibo = row(p, 'weibo');
    assert.deepEqual(
      [weibo.success, weibo.denied, weibo.upstream_failure, weibo.refused, weibo.created, weibo.failureRate],
      ['2', '0', '1', '0', '2', '33.3%'],
    );
    assert.match(weibo.median!, /^\d+ ms$/);
    assert.match(weibo.p95!, /^\d+ ms$/);
    assert.equal(row(p, 'sohu').denied, '1');
    assert.deepEqual([row(p, 'qq').links, row(p, 'qq').unlinks, row(p, 'qq').median], ['1', '1', '—']);
    const svg = /<svg class="analytics-line"[\s\S]*?<\/svg>/.exec(p.html)?.[0];
    assert.ok(svg, 'the chart');
    // Weibo's line ends at its 2 sign-ins today: the top of the chart (the largest count).
    assert.match(svg, /<path d="M0 160 [^"]* L600 0" fill="none" stroke="#E6162D"[^>]*data-line="weibo"/);
    assert.match(svg, /<title id="analytics-line-title">Successful sign-ins per day by provider, 2013-08-22 to 2013-09-20<\/title>/);
    assert.ok(!/(href|src)=/.test(svg), 'the chart fetches nothing');
    assert.ok(!/<script/i.test(p.html), 'no script');
    assert.match(p.html, /<strong data-window="30" aria-current="true">30 days<\/strong>/);
    assert.match(p.html, /<a href="\/admin\/partners\/alpha\?days=7#analytics" data-window="7">/);
  });

  it('shows a chosen window, in Chinese too, and downloads it as CSV', async () => {
    const week = await manager.go(page('?days=7'));
    assert.equal(week.status, 200);
    assert.match(week.html, /Last 7 days \(2013-09-14 – 2013-09-20, days in Asia\/Shanghai\)/);
    assert.equal(row(week, 'weibo').success, '2');
    const zh = await managerBrowser(gw, 'Alpha zh', ['alpha'], 'zh-CN');
    const chinese = await zh.go(page('?days=90'));
    assert.match(chinese.html, /各登录方式的数据/);
    assert.match(chinese.html, /最近 90 天（2013-06-23 至 2013-09-20，按 Asia\/Shanghai 的日期）/);
    assert.match(chinese.html, /data-count="median"[^>]*>\d+ 毫秒</);
    const csvLink = /href="([^"]+)" data-analytics-csv="1"/.exec(week.html)?.[1];
    assert.equal(csvLink, '/admin/partners/alpha/analytics.csv?days=7');
    const csv = await manager.go(`${gw.issuer}${csvLink}`);
    assert.equal(csv.status, 200);
    assert.match(
      csv.html,
      /^day,method,success,denied,upstream_failure,refused,new_accounts,links,unlinks,upstream_failure_rate,upstream_timed,upstream_median_ms,upstream_p95_ms\r\n/,
    );
    assert.match(csv.html, /\r\n2013-09-20,weibo,2,0,1,0,2,0,0,0\.3333,3,\d+,\d+\r\n/, 'the numbers of the table, for the day');
  });

  it("refuses another partner's page and CSV, and a bad window with a 400 naming it, changing nothing", async () => {
    assert.equal((await other.go(page())).status, 403);
    assert.equal((await other.go(`${gw.issuer}/admin/partners/alpha/analytics.csv`)).status, 403);
    const before = await snapshot(gw, 'alpha');
    const bad = await manager.go(page('?days=abc'));
    assert.equal(bad.status, 400);
    assert.match(bad.html, /<li data-problem="days">must be a whole number of days from 1 to 400<\/li>/);
    assert.ok(!/data-analytics="weibo"/.test(bad.html), 'no numbers for a window that is not one');
    assert.match(bad.html, /data-integration="weibo"/, 'the rest of the page is still there');
    const zh = await managerBrowser(gw, 'Alpha zh 2', ['alpha'], 'zh-CN');
    assert.match((await zh.go(page('?days=0'))).html, /请填写 1 至 400 之间的整数天数。/);
    assert.equal((await manager.go(`${gw.issuer}/admin/partners/alpha/analytics.csv?days=abc`)).status, 400);
    const after = await snapshot(gw, 'alpha');
    assert.equal(after.partner, before.partner);
  });
});
