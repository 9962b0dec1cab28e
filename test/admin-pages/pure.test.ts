// The admin pages' pure parts: form text that parses back to the same instant (also across daylight
// saving), what a posted schedule form asks for, the compact audit diff, and the timeline's ticks and
// segments.

import assert from 'node:assert/strict';
import { parseInstant } from '../../src/time/instant.ts';
import { inputInstant } from '../../src/admin/pages/dates.ts';
import { formFromBody, formFromIntegration, scheduleInput } from '../../src/admin/pages/schedule-form.ts';
import { auditChanges } from '../../src/admin/pages/audit-diff.ts';
import { buildTimeline, dateTicks } from '../../src/admin/pages/timeline.ts';
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

  it('diffs audit entries: changed fields only, instants in the zone, creations and removals', () => {
    const after = { ...weibo, cutoffAt: at('2013-09-26T00:00+08:00'), atCutoff: 'revoke' };
    assert.deepEqual(auditChanges(weibo, after, 'Asia/Shanghai'), [
      { field: 'cutoffAt', before: '2013-09-25 00:00', after: '2013-09-26 00:00' },
      { field: 'atCutoff', before: 'keep', after: 'revoke' },
    ]);
    assert.deepEqual(auditChanges(null, { provider: 'qq', notice: { en: 'x' } }, 'UTC'), [
      { field: 'provider', after: 'qq' },
      { field: 'notice', after: '{"en":"x"}' },
    ]);
    assert.deepEqual(auditChanges({ provider: 'qq' }, null, 'UTC'), [{ field: 'provider', before: 'qq' }]);
    assert.deepEqual(auditChanges(weibo, weibo, 'UTC'), []);
    assert.ok(auditChanges(null, { blob: 'x'.repeat(500) }, 'UTC')[0]!.after!.length <= 120);
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
});
