// The partners list and a partner's timeline: the inline SVG has one row per provider, a segment per
// phase in lifecycle order, date ticks in the partner's zone, a legend and a "now" line whose position
// follows the gateway clock; the table below gives each integration's dates in the partner's zone.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import type { TestBrowser } from '../support/browser.ts';
import { adminBrowser, jd, OPERATOR, signIn, timelineSvg } from './admin-browser.ts';

const nowX = (svg: string): number => Number(/class="timeline-now" data-now-x="([\d.]+)"/.exec(svg)![1]);

describe('admin pages: partners and the timeline', () => {
  let gw: Gateway;
  let browser: TestBrowser;
  const clock = new ManualClock('2013-09-20T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock, partners: jd });
    browser = adminBrowser();
    await signIn(gw, browser, 'operator', OPERATOR);
  });
  after(async () => {
    await gw.close();
  });

  it("lists the partners with each provider's phase now and its next change", async () => {
    const page = await browser.go(`${gw.issuer}/admin`);
    const alpha = /<li class="panel partner" data-partner="alpha">([\s\S]*?)<\/li>\s*<li class="panel partner"/.exec(page.html)![1]!;
    assert.match(alpha, /data-provider="weibo" data-phase="notice"/);
    assert.match(alpha, /grace from 2013-09-25 00:00/);
    assert.match(alpha, /data-provider="qq" data-phase="live"/);
    assert.match(alpha, /data-provider="sohu" data-phase="live"/);
  });

  it('draws one row per provider with its phases in order, ticks, a legend and the now line', async () => {
    const page = await browser.go(`${gw.issuer}/admin/partners/alpha`);
    assert.equal(page.status, 200);
    const svg = timelineSvg(page);
    const rows = [...svg.matchAll(/<g class="timeline-row" data-provider="([a-z]+)">([\s\S]*?)<\/g>/g)];
    const providers = (await gw.store.get<Partner>('partners', 'alpha'))!.integrations.map((i) => i.provider);
    assert.deepEqual(
      rows.map((r) => r[1]),
      providers,
      "one row per provider, in the partner's order",
    );
    assert.deepEqual(
      rows.slice(0, 3).map((r) => r[1]),
      ['weibo', 'qq', 'sohu'],
    );
    const phases = (body: string) => [...body.matchAll(/<rect [^>]*data-phase="([a-z]+)"/g)].map((m) => m[1]);
    assert.deepEqual(phases(rows[0]![2]!), ['live', 'notice', 'grace', 'ended']);
    assert.deepEqual(phases(rows[1]![2]!), ['live']);
    assert.match(rows[0]![2]!, /<title>notice: 2013-09-10 00:00 – 2013-09-25 00:00<\/title>/);
    assert.match(rows[0]![2]!, /<text x="8" [^>]*>Weibo<\/text>/);

    // Segments tile the row from left to right.
    const rects = [...rows[0]![2]!.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    for (let i = 1; i < rects.length; i++) assert.ok(Math.abs(rects[i - 1]![0] + rects[i - 1]![1] - rects[i]![0]) < 0.05, 'adjacent segments');

    // Weekly ticks at local midnights in Asia/Shanghai; the legend names every phase.
    const ticks = [...svg.matchAll(/data-tick="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ticks.length >= 4 && ticks.length <= 12, ticks.join(' '));
    assert.match(ticks[0]!, /^2013-\d{2}-\d{2}$/, 'the first tick says the year');
    assert.ok(
      ticks.slice(1).every((t) => /^\d{2}-\d{2}$/.test(t!)),
      ticks.join(' '),
    );
    const mondays = ticks.slice(1).map((t) => new Date(`2013-${t}T00:00:00+08:00`).getUTCDay());
    assert.ok(
      mondays.every((d) => d === 0),
      'weekly ticks at Monday midnight in Asia/Shanghai (Sunday 16:00 UTC)',
    );
    for (const phase of ['upcoming', 'live', 'notice', 'grace', 'ended']) assert.match(svg, new RegExp(`data-legend="${phase}"`));
    assert.match(svg, /now · 2013-09-20 10:00/);
    assert.match(svg, /<title id="timeline-title">/);
    assert.doesNotMatch(svg, /style=|<script|href=/, 'presentation attributes only, nothing external');

    // The now line lies inside the notice segment of Weibo.
    const x = nowX(svg);
    assert.ok(x > rects[1]![0] && x < rects[1]![0] + rects[1]![1], `now at ${x} inside the notice segment`);
  });

  it('moves the now line with the gateway clock', async () => {
    const first = nowX(timelineSvg(await browser.go(`${gw.issuer}/admin/partners/alpha`)));
    clock.advance(6 * 60 * 60 * 1000);
    const later = nowX(timelineSvg(await browser.go(`${gw.issuer}/admin/partners/alpha`)));
    assert.ok(later > first, `${later} > ${first}`);
    clock.set('2013-09-26T10:00:00+08:00');
    await signIn(gw, browser, 'operator', OPERATOR); // the session of 2013-09-20 has expired by now
    const page = await browser.go(`${gw.issuer}/admin/partners/alpha`);
    const svg = timelineSvg(page);
    assert.ok(nowX(svg) > later + 50, 'six days later is far to the right');
    assert.match(svg, /now · 2013-09-26 10:00/);
    const grace = /<g class="timeline-row" data-provider="weibo">[\s\S]*?<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*data-phase="grace"/.exec(svg)!;
    assert.ok(nowX(svg) > Number(grace[1]) && nowX(svg) < Number(grace[1]) + Number(grace[2]), 'now is in grace');
    clock.set('2013-09-20T10:00:00+08:00');
  });

  it("tabulates each integration's dates in the partner's zone with its policy and an edit link", async () => {
    const page = await browser.go(`${gw.issuer}/admin/partners/alpha`);
    const weibo = /<tr data-integration="weibo">([\s\S]*?)<\/tr>/.exec(page.html)![1]!;
    assert.match(weibo, /data-field="startsAt"[^>]*>—</);
    assert.match(weibo, /data-field="noticeAt"[^>]*>2013-09-10 00:00</);
    assert.match(weibo, /data-field="cutoffAt"[^>]*>2013-09-25 00:00</);
    assert.match(weibo, /data-field="graceEndsAt"[^>]*>2013-10-25 00:00</);
    assert.match(weibo, />keep</);
    assert.match(weibo, /href="\/admin\/partners\/alpha\/integrations\/weibo"/);
    assert.match(page.html, /Dates in Asia\/Shanghai/);
  });

  it('draws the timeline in Chinese for a Chinese browser', async () => {
    const zh = adminBrowser('zh-CN');
    await signIn(gw, zh, 'operator', OPERATOR);
    const svg = timelineSvg(await zh.go(`${gw.issuer}/admin/partners/alpha`));
    assert.match(svg, />预告期</);
    assert.match(svg, /现在 · 2013-09-20 10:00/);
  });
});
