// Which shops' sign-ins can have held records (src/broker/pending-login.ts mayHoldSignIns): only those
// with a dated lifecycle on some integration; the login path skips two store reads for the rest.

import assert from 'node:assert/strict';
import { mayHoldSignIns } from '../../src/broker/pending-login.ts';
import type { Partner } from '../../src/partners/partner.ts';

const partner = (integrations: Partner['integrations']) => ({ integrations }) as Partner;
const T = Date.parse('2013-09-25T00:00:00+08:00');

describe('mayHoldSignIns', () => {
  it('no dates on any integration (or only a start): no held records to look up', () => {
    assert.equal(mayHoldSignIns(partner([])), false);
    assert.equal(mayHoldSignIns(partner([{ provider: 'weibo' }, { provider: 'qq', startsAt: T }] as Partner['integrations'])), false);
  });

  it('a notice, a cutoff or a grace end on any integration: looked up', () => {
    for (const dates of [{ noticeAt: T }, { cutoffAt: T }, { graceEndsAt: T }]) {
      assert.equal(mayHoldSignIns(partner([{ provider: 'qq' }, { provider: 'weibo', ...dates }] as Partner['integrations'])), true, JSON.stringify(dates));
    }
  });
});
