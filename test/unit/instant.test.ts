// Typed instants: an offset or an IANA zone is required; daylight-saving gaps and overlaps are refused.

import assert from 'node:assert/strict';
import { formatInstant, parseInstant } from '../../src/time/instant.ts';
import { suggestedInstants } from '../support/suggested-instants.ts';

function ok(input: string, zone = 'Asia/Shanghai'): number {
  const r = parseInstant(input, zone);
  assert.ok(r.ok, `expected ${input} to parse: ${!r.ok ? r.message : ''}`);
  return r.value;
}
function refused(input: unknown, zone = 'Asia/Shanghai'): string {
  const r = parseInstant(input, zone);
  assert.ok(!r.ok, `expected ${String(input)} to be refused`);
  return r.message;
}

describe('parseInstant', () => {
  it('accepts offsets and Z', () => {
    assert.equal(ok('2013-09-25T00:00+08:00'), Date.UTC(2013, 8, 24, 16));
    assert.equal(ok('2013-09-25T00:00:00.001+0800'), Date.UTC(2013, 8, 24, 16, 0, 0, 1));
    assert.equal(ok('2013-09-24T16:00Z'), Date.UTC(2013, 8, 24, 16));
  });

  it('accepts an IANA zone in brackets or after a space', () => {
    assert.equal(ok('2013-09-25T00:00[Asia/Shanghai]'), Date.UTC(2013, 8, 24, 16));
    assert.equal(ok('2013-09-25 00:00 Asia/Shanghai'), Date.UTC(2013, 8, 24, 16));
    assert.equal(ok('2013-09-25[Asia/Shanghai]'), Date.UTC(2013, 8, 24, 16), 'a date alone means its midnight');
  });

  it('refuses a bare local time, saying an offset or zone is needed', () => {
    assert.match(refused('2013-09-25T00:00'), /no offset or time zone/);
    assert.match(refused('2013-09-25'), /no offset or time zone/);
  });

  it('applies daylight saving in zones that have it', () => {
    // New York: EDT (UTC−4) in summer, EST (UTC−5) in winter.
    assert.equal(ok('2013-07-01T12:00[America/New_York]'), Date.UTC(2013, 6, 1, 16));
    assert.equal(ok('2013-12-01T12:00[America/New_York]'), Date.UTC(2013, 11, 1, 17));
    // Berlin's spring change: 02:00 jumps to 03:00 on 31 March 2013.
    assert.equal(ok('2013-03-31T01:59[Europe/Berlin]'), Date.UTC(2013, 2, 31, 0, 59));
    assert.equal(ok('2013-03-31T03:00[Europe/Berlin]'), Date.UTC(2013, 2, 31, 1, 0));
  });

  it('refuses a local time skipped by the spring change, and one repeated by the autumn change', () => {
    assert.match(refused('2013-03-31T02:30[Europe/Berlin]'), /does not exist/);
    assert.match(refused('2013-10-27T02:30[Europe/Berlin]'), /happens twice.*2013-10-27T02:30\+02:00 or 2013-10-27T02:30\+01:00$/);
  });

  it('refuses unknown zones, impossible dates and non-strings', () => {
    assert.match(refused('2013-09-25T00:00[Mars/Olympus]'), /not an IANA time zone/);
    assert.match(refused('2013-02-30T00:00+08:00'), /not a valid date/);
    assert.match(refused('tomorrow'), /not a date and time/);
    assert.match(refused(''), /must be a date/);
    assert.match(refused(null), /must be a date/);
  });

  it('shows instants in the partner zone and language', () => {
    const cutoff = Date.UTC(2013, 8, 24, 16);
    assert.equal(formatInstant(cutoff, 'Asia/Shanghai', 'en'), '25 September 2013 00:00 (UTC+08:00)');
    assert.equal(formatInstant(cutoff, 'Asia/Shanghai', 'zh-CN', 'date'), '2013年9月25日');
    assert.equal(formatInstant(cutoff, 'America/New_York', 'en'), '24 September 2013 12:00 (UTC-04:00)');
  });

  it('refuses UTC offsets no clock uses, and accepts every real one', () => {
    for (const bad of [
      '2013-09-25T00:00+99:00',
      '2013-09-25T00:00-99:59',
      '2013-09-25T00:00+18:01',
      '2013-09-25T00:00+14:01',
      '2013-09-25T00:00-12:01',
      '2013-09-25T00:00+08:60',
      '2013-09-25T00:00+0860',
      '2013-09-25T00:00+15',
    ]) {
      assert.match(refused(bad), /UTC offset no clock uses/, bad);
    }
    assert.equal(ok('2013-09-25T00:00+14:00'), Date.UTC(2013, 8, 24, 10));
    assert.equal(ok('2013-09-25T00:00-12:00'), Date.UTC(2013, 8, 25, 12));
    assert.equal(ok('2013-09-25T00:00+05:45'), Date.UTC(2013, 8, 24, 18, 15));
    assert.equal(ok('2013-09-25T00:00-0930'), Date.UTC(2013, 8, 25, 9, 30));
    assert.equal(ok('2013-09-25T00:00+00'), Date.UTC(2013, 8, 25));
  });

  describe('every suggestion an error gives is accepted as given', () => {
    const BAD = [
      '2013-10-26',
      '2013-10-26T10:00',
      '2013-10-26 10:00:30',
      '2013-09-25T00:00+99:00',
      '2013-09-25T00:00-99:59',
      '2013-09-25T00:00+18:01',
      '2013-07-01T12:00[Mars/Olympus]',
      '2013-03-31T02:30[Europe/Berlin]',
      '2013-10-27T02:30[Europe/Berlin]',
      '2013-03-10T02:30[America/New_York]',
      '2013-11-03T01:30[America/New_York]',
      '2013-03-31T02:30',
      '2013-10-27T02:30',
      'tomorrow',
      '',
      '2013-02-30',
    ];
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'UTC']) {
      it(`in ${zone}`, () => {
        let suggested = 0;
        for (const input of BAD) {
          const message = refused(input, zone);
          for (const s of suggestedInstants(message)) {
            suggested++;
            const again = parseInstant(s, zone);
            assert.ok(again.ok, `${JSON.stringify(input)} → "${message}" suggests ${s}, which is refused: ${!again.ok ? again.message : ''}`);
          }
        }
        assert.ok(suggested >= BAD.length - 1, `suggestions were given (${suggested})`);
      });
    }

    it("suggests the same wall time in the partner's zone, with that zone's offset on that date", () => {
      assert.equal(
        refused('2013-10-26', 'Asia/Shanghai'),
        '"2013-10-26" has no offset or time zone, so it could mean different instants; write 2013-10-26T00:00+08:00 or 2013-10-26T00:00[Asia/Shanghai]',
      );
      assert.match(refused('2013-07-01T12:00', 'Europe/Berlin'), /write 2013-07-01T12:00\+02:00 or 2013-07-01T12:00\[Europe\/Berlin\]$/);
      assert.match(refused('2013-12-01T12:00', 'Europe/Berlin'), /write 2013-12-01T12:00\+01:00 or 2013-12-01T12:00\[Europe\/Berlin\]$/);
      assert.match(refused('2013-09-25T00:00+99:00', 'America/New_York'), /write 2013-09-25T00:00-04:00 or 2013-09-25T00:00\[America\/New_York\]$/);
      assert.ok(!/Shanghai|\+08:00/.test(refused('tomorrow', 'Europe/Berlin')), 'no Shanghai example for a Berlin partner');
      assert.equal(refused('2013-02-30', 'Asia/Shanghai'), '"2013-02-30" is not a valid date and time', 'a date that does not exist gets no suggestion');
    });
  });
});
