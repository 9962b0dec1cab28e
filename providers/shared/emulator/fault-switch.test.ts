// The fault switch's share: a fault set for a share of the calls hits about that share, only the hits
// count against `times`, and every served fault is counted by endpoint and mode (the soak reconciles
// the shoppers' failures against these counts).

import assert from 'node:assert/strict';
import { FaultSwitch } from './fault-switch.ts';

describe('emulator fault switch: share and served counts', () => {
  it('serves a fault to about its share of the calls and counts each one served', () => {
    const faults = new FaultSwitch();
    faults.set('access_token', 'status500', Infinity, 0.25);
    let hits = 0;
    for (let i = 0; i < 4000; i++) if (faults.take('access_token') === 'status500') hits++;
    assert.ok(hits > 700 && hits < 1300, `about a quarter of 4000 calls, got ${hits}`);
    assert.deepEqual(faults.served(), { access_token: { status500: hits } });
    assert.deepEqual(faults.list(), { access_token: { mode: 'status500', remaining: null, share: 0.25 } });
  });

  it('counts only the calls that got the fault against `times`, and keeps counting across modes', () => {
    const faults = new FaultSwitch();
    faults.set('me', 'hang', 3, 0.5);
    let calls = 0;
    while (faults.list().me) {
      faults.take('me');
      calls++;
    }
    assert.ok(calls >= 3, `three faults served over ${calls} calls`);
    faults.set('me', 'html', 1);
    assert.equal(faults.take('me'), 'html');
    assert.equal(faults.take('me'), undefined, 'used up');
    assert.deepEqual(faults.served(), { me: { hang: 3, html: 1 } });
  });

  it('serves every call without a share, as before', () => {
    const faults = new FaultSwitch();
    faults.set('token', 'malformed', 2);
    assert.equal(faults.take('token'), 'malformed');
    assert.equal(faults.take('token'), 'malformed');
    assert.equal(faults.take('token'), undefined);
    assert.deepEqual(faults.list(), {});
  });
});
