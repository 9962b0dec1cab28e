// Schedule validation: every problem named by field, nothing accepted half-way.

import assert from 'node:assert/strict';
import { applySchedule } from '../../src/partners/schedule.ts';
import type { Integration } from '../../src/partners/partner.ts';

const NOW = Date.parse('2013-09-01T00:00:00+08:00');
const live: Integration = { provider: 'weibo', newAccountsDuringNotice: true, atCutoff: 'keep' };
const apply = (input: unknown, current: Integration | undefined = live, now = NOW) => applySchedule('weibo', current, input, now, 'Asia/Shanghai');
const problems = (input: unknown, current?: Integration, now?: number) => {
  const r = apply(input, current, now);
  assert.ok(!r.ok, 'expected refusal');
  return r.problems;
};

describe('applySchedule', () => {
  it('schedules the JD case', () => {
    const r = apply({
      noticeAt: '2013-09-10T00:00+08:00',
      cutoffAt: '2013-09-25T00:00[Asia/Shanghai]',
      graceEndsAt: '2013-10-25T00:00+08:00',
      atCutoff: 'revoke',
      notice: { en: 'Bye Weibo' },
    });
    assert.ok(r.ok);
    assert.equal(r.integration.cutoffAt, Date.parse('2013-09-24T16:00:00Z'));
    assert.equal(r.integration.atCutoff, 'revoke');
    assert.deepEqual(r.integration.notice, { en: 'Bye Weibo' });
    assert.equal(r.immediate, false);
  });

  it('refuses a bare local time naming the field', () => {
    const [p] = problems({ cutoffAt: '2013-09-25T00:00' });
    assert.equal(p!.field, 'cutoffAt');
    assert.match(p!.message, /no offset or time zone/);
  });

  it('refuses dates out of order, naming both fields', () => {
    const ps = problems({ noticeAt: '2013-09-26T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00', graceEndsAt: '2013-10-25T00:00+08:00' });
    assert.equal(ps.length, 1);
    assert.equal(ps[0]!.field, 'cutoffAt');
    assert.match(ps[0]!.message, /must be after noticeAt/);
    const equal = problems({ noticeAt: '2013-09-25T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00' });
    assert.match(equal[0]!.message, /must be after noticeAt/);
  });

  it('reports every problem at once', () => {
    const ps = problems({ cutoffAt: 'soon', atCutoff: 'later', newAccountsDuringNotice: 'yes', colour: 'red', notice: { fr: 'x' } });
    assert.deepEqual(ps.map((p) => p.field).sort(), ['atCutoff', 'colour', 'cutoffAt', 'newAccountsDuringNotice', 'notice.fr']);
  });

  it('needs a cutoff for a notice or a grace end', () => {
    assert.equal(problems({ noticeAt: '2013-09-10T00:00+08:00' })[0]!.field, 'noticeAt');
    assert.equal(problems({ graceEndsAt: '2013-10-10T00:00+08:00' })[0]!.field, 'graceEndsAt');
  });

  it('refuses a cutoff in the past unless effective immediately', () => {
    const past = { cutoffAt: '2013-08-01T00:00+08:00', graceEndsAt: '2013-10-01T00:00+08:00' };
    const [p] = problems(past);
    assert.equal(p!.field, 'cutoffAt');
    assert.match(p!.message, /effectiveImmediately/);
    const r = apply({ ...past, effectiveImmediately: true });
    assert.ok(r.ok && r.immediate);
  });

  it('sets the cutoff to now for effectiveImmediately without a date', () => {
    const r = apply({ effectiveImmediately: true });
    assert.ok(r.ok);
    assert.equal(r.integration.cutoffAt, NOW);
    assert.equal(r.immediate, true);
  });

  it('clears dates with null and keeps absent ones', () => {
    const scheduled = { ...live, noticeAt: NOW + 1000, cutoffAt: NOW + 2000 };
    const r = apply({ noticeAt: null, cutoffAt: null }, scheduled);
    assert.ok(r.ok);
    assert.equal(r.integration.cutoffAt, undefined);
    const kept = apply({ atCutoff: 'revoke' }, scheduled);
    assert.ok(kept.ok);
    assert.equal(kept.integration.cutoffAt, NOW + 2000);
  });

  it('adds a provider that starts later without asking for confirmation', () => {
    const r = applySchedule('weibo', undefined, { startsAt: '2013-10-01T00:00+08:00' }, NOW, 'Asia/Shanghai');
    assert.ok(r.ok && !r.immediate);
    // Pushing a live provider's start into the future closes it now: that needs confirmation.
    assert.equal(problems({ startsAt: '2013-10-01T00:00+08:00' })[0]!.field, 'startsAt');
  });

  it('refuses a non-object body', () => {
    assert.equal(problems('cutoff tomorrow')[0]!.field, '(body)');
    assert.equal(problems([1, 2])[0]!.field, '(body)');
  });
});
