// The admin pages' pure parts: form text that parses back to the same instant (also across daylight
// saving), what a posted schedule form asks for, the audit changes in words, and the timeline's ticks and
// segments.

import assert from 'node:assert/strict';
import { parseInstant } from '../../src/time/instant.ts';
import { inputInstant } from '../../src/admin/pages/dates.ts';
import { formFromBody, formFromIntegration, scheduleInput } from '../../src/admin/pages/schedule-form.ts';
import { auditChanges, auditWords } from '../../src/admin/pages/audit-diff.ts';
import { adminTranslator } from '../../src/admin/pages/messages.ts';
import { buildTimeline, dateTicks, LAYOUT } from '../../src/admin/pages/timeline.ts';
import { textWidth, wrapLabel } from '../../src/admin/pages/timeline-label.ts';
import { lineColours } from '../../src/admin/pages/chart-colours.ts';
import type { Integration } from '../../src/partners/partner.ts';

const at = (iso: string) => Date.parse(iso);
const weibo: Integration = {
  provider: 'weibo',
  noticeAt: at('2013-09-10T00:00+08:00'),
  cutoffAt: at('2013-09-25T00:00+08:00'),
  newAccountsDuringNotice: true,
  atCutoff: 'keep',
};

describe('admin pages: pure parts', () => {
  it('prefills instants that parse back exactly, in the zone, on both sides of a DST change', () => {
    assert.equal(inputInstant(at('2013-09-25T00:00+08:00'), 'Asia/Shanghai'), '2013-09-25T00:00+08:00');
    assert.equal(inputInstant(at('2013-03-31T00:59:59.999Z'), 'Europe/Berlin'), '2013-03-31T01:59:59.999+01:00');
    assert.equal(inputInstant(at('2013-03-31T01:00:00Z'), 'Europe/Berlin'), '2013-03-31T03:00+02:00');
    for (const ms of [at('2013-03-31T00:59:59.999Z'), at('2013-10-27T00:30:00Z'), at('2013-10-27T01:30:05Z')]) {
      const parsed = parseInstant(inputInstant(ms, 'Europe/Berlin'), 'Europe/Berlin');
      assert.ok(parsed.ok && parsed.value === ms);
    }
  });

  it('turns a posted form into the schedule change: typed dates, empty or ticked dates cleared, options', () => {
    const unchanged = scheduleInput(formFromIntegration(weibo, 'Asia/Shanghai'), weibo);
    assert.deepEqual(unchanged, { noticeAt: '2013-09-10T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00', atCutoff: 'keep', newAccountsDuringNotice: true });

    const posted = formFromBody({
      startsAt: '',
      noticeAt: '',
      cutoffAt: '2013-09-25T00:00[Asia/Shanghai]',
      'clear.cutoffAt': 'on',
      graceEndsAt: ' 2013-10-25T00:00+08:00 ',
      atCutoff: 'revoke',
      newAccountsDuringNotice: 'no',
      'notice.zh-CN': '',
      'notice.en': 'Bye',
      effectiveImmediately: 'on',
      extra: 'ignored',
    });
    assert.deepEqual(scheduleInput(posted, weibo), {
      noticeAt: null,
      cutoffAt: null,
      graceEndsAt: '2013-10-25T00:00+08:00',
      atCutoff: 'revoke',
      newAccountsDuringNotice: false,
      notice: { 'zh-CN': null, en: 'Bye' },
      effectiveImmediately: true,
    });
    assert.equal(scheduleInput(formFromBody({ newAccountsDuringNotice: 'maybe' }), undefined).newAccountsDuringNotice, 'maybe', 'left for the rules to refuse');
    assert.equal('startsAt' in scheduleInput(formFromBody({}), undefined), false, 'an empty date that was never set is no change');
  });

  it('words audit changes: changed fields only, dates in the zone, yes/no, known values and providers by name, no JSON', () => {
    const labels: Record<string, string> = { weibo: '微博', qq: 'QQ' };
    const zh = auditWords(adminTranslator('zh-CN'), 'zh-CN', 'Asia/Shanghai', (id) => labels[id] ?? id);
    const en = auditWords(adminTranslator('en'), 'en', 'Asia/Shanghai', (id) => id.toUpperCase());
    const after = { ...weibo, cutoffAt: at('2013-09-26T00:00+08:00'), atCutoff: 'revoke', newAccountsDuringNotice: false };
    assert.deepEqual(auditChanges(weibo, after, zh), [
      { field: 'cutoffAt', label: '停止时间', before: '2013年9月25日 00:00', after: '2013年9月26日 00:00' },
      { field: 'newAccountsDuringNotice', label: '预告期内允许新账号', before: '是', after: '否' },
      { field: 'atCutoff', label: '停止时的处理', before: '保留', after: '撤销' },
    ]);
    assert.deepEqual(auditChanges(weibo, after, en), [
      { field: 'cutoffAt', label: 'Cutoff', before: '25 Sep 2013, 00:00', after: '26 Sep 2013, 00:00' },
      { field: 'newAccountsDuringNotice', label: 'New accounts during notice', before: 'yes', after: 'no' },
      { field: 'atCutoff', label: 'At cutoff', before: 'keep', after: 'revoke' },
    ]);
    assert.deepEqual(auditChanges(null, { provider: 'weibo', notice: { 'zh-CN': '停止', en: 'x' }, effectiveImmediately: true }, zh), [
      { field: 'provider', label: '登录方式', after: '微博' },
      { field: 'notice.zh-CN', label: '预告文字（中文）', after: '停止' },
      { field: 'notice.en', label: '预告文字（英文）', after: 'x' },
      { field: 'effectiveImmediately', label: '立即生效', after: '是' },
    ]);
    assert.deepEqual(auditChanges({ provider: 'qq' }, null, en), [{ field: 'provider', label: 'Provider', before: 'QQ' }]);
    assert.deepEqual(auditChanges(weibo, weibo, zh), []);
    const partner = {
      id: 'alpha',
      locales: ['zh-CN', 'en'],
      firstParty: true,
      clients: [{ client_id: 'alpha-basic', client_secret: 's3cret', redirect_uris: ['https://a/cb'] }],
      integrations: [{ provider: 'weibo' }, { provider: 'qq' }],
    };
    const created = auditChanges(null, partner, zh);
    assert.deepEqual(
      created.map((c) => `${c.label}: ${c.after}`),
      ['ID: alpha', '语言: zh-CN、en', '自营（不显示授权页）: 是', '客户端: alpha-basic', '登录方式: 微博、QQ'],
    );
    assert.doesNotMatch(JSON.stringify(created), /s3cret/, 'secrets are never shown');
    for (const c of [...created, ...auditChanges(weibo, after, en)]) assert.doesNotMatch(`${c.before} ${c.after}`, /[{}"]|\btrue\b|\bfalse\b/);
    assert.ok(auditChanges(null, { blob: 'x'.repeat(500) }, en)[0]!.after!.length <= 160);
  });

  it('gives every analytics line a colour no earlier line nearly has: brand first, spares for clashes', () => {
    // Alipay's blue and the password's button blue, WeChat's green and the phone's: the later one of each pair moves.
    // JD's page: Weibo, QQ, Sohu, WeChat, Alipay, Example OIDC, password, phone.
    const colours = lineColours(['#E6162D', '#0C7CA7', '#FFD100', '#06844A', '#1570F0', '#3b5bdb', '#2f6fed', '#16824a', undefined]);
    assert.deepEqual(colours.slice(0, 5), ['#E6162D', '#0C7CA7', '#FFD100', '#06844A', '#1570F0']);
    assert.equal(new Set(colours).size, colours.length, colours.join(' '));
    assert.ok(!['#2f6fed', '#16824a'].includes(colours[6]!) && !['#2f6fed', '#16824a'].includes(colours[7]!));
    assert.deepEqual(lineColours(['#E6162D', '#12B7F5']), ['#E6162D', '#12B7F5'], 'distinct brands stay');
  });

  it('ticks at local midnights by day, week, month or year, about ten at most', () => {
    const days = dateTicks(at('2013-09-01T00:00+08:00'), at('2013-09-08T12:00+08:00'), 'Asia/Shanghai');
    assert.deepEqual(
      days.map((t) => t.label),
      ['2013-09-01', '09-02', '09-03', '09-04', '09-05', '09-06', '09-07', '09-08'],
    );
    assert.ok(
      days.every((t) => new Date(t.at).getUTCHours() === 16),
      'midnight in Shanghai is 16:00 UTC',
    );
    const months = dateTicks(at('2013-01-15T00:00Z'), at('2013-09-15T00:00Z'), 'Europe/Berlin');
    assert.deepEqual(
      months.map((t) => t.label),
      ['2013-02', '2013-03', '2013-04', '2013-05', '2013-06', '2013-07', '2013-08', '2013-09'],
    );
    assert.equal(new Date(months[3]!.at).toISOString(), '2013-04-30T22:00:00.000Z', 'May starts at midnight summer time');
    const years = dateTicks(at('2000-01-01T00:00Z'), at('2013-01-01T00:00Z'), 'UTC');
    assert.ok(years.length <= 10 && years.every((t) => /^\d{4}$/.test(t.label)));
  });

  it('lays out segments that tile each row, with now inside the axis', () => {
    const now = at('2013-09-20T10:00+08:00');
    const t = buildTimeline(
      [
        { integration: weibo, label: 'Weibo' },
        { integration: { provider: 'qq', newAccountsDuringNotice: true, atCutoff: 'keep' }, label: 'QQ' },
      ],
      now,
      'Asia/Shanghai',
    );
    const [w, q] = t.rows;
    assert.deepEqual(
      w!.segments.map((s) => s.phase),
      ['live', 'notice', 'grace'],
    );
    assert.equal(w!.segments[0]!.x, t.x0);
    assert.ok(Math.abs(w!.segments.at(-1)!.x + w!.segments.at(-1)!.width - t.x1) < 0.05);
    assert.deepEqual(
      q!.segments.map((s) => s.phase),
      ['live'],
    );
    assert.ok(t.now.x > t.x0 && t.now.x < t.x1);
    assert.ok(t.start < weibo.noticeAt! && t.end > weibo.cutoffAt!, 'every date is on the axis');
    assert.equal(w!.segments[1]!.span, '2013-09-10 00:00 – 2013-09-25 00:00');
  });

  it('keeps a provider name whole: on one line when it fits the label column, wrapped (never cut) when longer', () => {
    const max = LAYOUT.maxLabelWidth - LAYOUT.labelGap;
    assert.deepEqual(wrapLabel('Example OIDC (sandbox demo)', max, 13), ['Example OIDC (sandbox demo)'], 'the sandbox demo fits on one line');
    assert.deepEqual(wrapLabel('示例 OIDC（沙盒演示）', max, 13), ['示例 OIDC（沙盒演示）']);
    const long = 'Corporate single sign-on of the Example Group (staff and contractors)';
    const lines = wrapLabel(long, max, 13);
    assert.ok(lines.length >= 2, `wrapped: ${JSON.stringify(lines)}`);
    assert.equal(lines.join(' '), long, 'broken at spaces, no character lost');
    assert.ok(lines.every((l) => textWidth(l, 13, true) <= max));
    const cjk = wrapLabel('企业统一身份认证平台（集团员工与合作伙伴专用登录入口）', max, 13);
    assert.ok(cjk.length === 2 && cjk.every((l) => textWidth(l, 13, true) <= max), `CJK breaks between characters: ${JSON.stringify(cjk)}`);
    assert.equal(cjk.join(''), '企业统一身份认证平台（集团员工与合作伙伴专用登录入口）');
    const word = wrapLabel('x'.repeat(60), max, 13);
    assert.equal(word.join(''), 'x'.repeat(60), 'a word longer than a line breaks inside');

    const now = at('2013-09-20T10:00+08:00');
    const live = (provider: string): Integration => ({ provider, newAccountsDuringNotice: true, atCutoff: 'keep' });
    const t = buildTimeline(
      [
        { integration: weibo, label: 'Weibo' },
        { integration: live('corp'), label: long },
        { integration: live('qq'), label: 'QQ' },
      ],
      now,
      'Asia/Shanghai',
    );
    const [w, c, q] = t.rows;
    assert.ok(t.x0 <= LAYOUT.maxLabelWidth && t.x0 > LAYOUT.maxLabelWidth - 30, `the label column near its widest: ${t.x0}`);
    assert.deepEqual(
      c!.lines.map((l) => l.text),
      lines,
    );
    assert.ok(c!.y - w!.y > LAYOUT.rowHeight && q!.y - c!.y > LAYOUT.rowHeight, 'the wrapped row is taller');
    const bar = c!.y + LAYOUT.barHeight / 2;
    const middle = (c!.lines[0]!.y + c!.lines.at(-1)!.y) / 2 - 4;
    assert.ok(Math.abs(middle - bar) < 0.01, 'its lines centre on its bar');
    assert.ok(c!.lines[0]!.y - LAYOUT.fontSize > w!.y + LAYOUT.barHeight, 'its first line clears the row above');
    assert.ok(c!.lines.at(-1)!.y + 4 < q!.y, 'its last line clears the row below');
    assert.equal(t.axisY, q!.y + LAYOUT.rowHeight + LAYOUT.axisGap);
    const short = buildTimeline([{ integration: weibo, label: 'Weibo' }], now, 'Asia/Shanghai');
    assert.deepEqual(short.rows[0]!.lines, [{ text: 'Weibo', y: LAYOUT.top + 16 }], 'one line as before');
  });
});
