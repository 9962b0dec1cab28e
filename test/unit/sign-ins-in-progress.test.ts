// Unit tests of the sign-ins-in-progress bookkeeping on a manual clock: a browser past its cap drops its
// oldest (with their flows), an address past its cap is refused, ended and expired sign-ins stop counting,
// a sign-in keeps its newest flows.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { SignInsInProgress } from '../../src/broker/sign-ins-in-progress.ts';

describe('sign-ins in progress', () => {
  const limits = { perBrowser: 2, perIp: 3, flowsPerSignIn: 2 };
  let clock: ManualClock;
  let signIns: SignInsInProgress;
  const later = () => clock.now() + 60_000;

  beforeEach(() => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    signIns = new SignInsInProgress(clock, limits);
  });

  it('a browser past its cap drops its oldest sign-in, with its flows', () => {
    assert.deepEqual(signIns.admit('a', 'browser-1', 'ip-1', later()), { admitted: true, dropped: [] });
    signIns.flowStarted('a', 'flow-a');
    signIns.admit('b', 'browser-1', 'ip-1', later());
    const third = signIns.admit('c', 'browser-1', 'ip-1', later());
    assert.ok(third.admitted);
    assert.deepEqual(
      third.dropped.map((d) => [d.uid, d.flows]),
      [['a', ['flow-a']]],
    );
    assert.equal(signIns.size, 2);
  });

  it('an address past its cap is refused; another address is not', () => {
    for (const uid of ['a', 'b', 'c']) assert.ok(signIns.admit(uid, `browser-${uid}`, 'ip-1', later()).admitted);
    assert.equal(signIns.full('ip-1'), true);
    assert.deepEqual(signIns.admit('d', 'browser-d', 'ip-1', later()), { admitted: false });
    assert.ok(signIns.admit('e', 'browser-e', 'ip-2', later()).admitted);
  });

  it('ended and expired sign-ins stop counting', () => {
    for (const uid of ['a', 'b', 'c']) signIns.admit(uid, `browser-${uid}`, 'ip-1', uid === 'c' ? clock.now() + 1000 : later());
    signIns.ended('a');
    assert.equal(signIns.full('ip-1'), false);
    signIns.admit('d', 'browser-d', 'ip-1', later());
    assert.equal(signIns.full('ip-1'), true);
    clock.advance(1000);
    assert.equal(signIns.full('ip-1'), false, 'c expired');
    clock.advance(120_000);
    signIns.admit('e', 'browser-e', 'ip-9', later());
    assert.equal(signIns.size, 1, 'everything expired is forgotten');
  });

  it('a sign-in keeps its newest flows', () => {
    signIns.admit('a', 'browser-1', 'ip-1', later());
    assert.deepEqual(signIns.flowStarted('a', 'f1'), []);
    assert.deepEqual(signIns.flowStarted('a', 'f2'), []);
    assert.deepEqual(signIns.flowStarted('a', 'f3'), ['f1']);
    assert.deepEqual(signIns.flowStarted('unknown', 'f4'), []);
  });

  it('an account linking from its account page keeps its newest flows', () => {
    assert.deepEqual(signIns.accountFlowStarted('account-1', 'f1'), []);
    assert.deepEqual(signIns.accountFlowStarted('account-2', 'g1'), []);
    assert.deepEqual(signIns.accountFlowStarted('account-1', 'f2'), []);
    assert.deepEqual(signIns.accountFlowStarted('account-1', 'f3'), ['f1']);
    assert.deepEqual(signIns.accountFlowStarted('account-2', 'g2'), []);
  });
});
