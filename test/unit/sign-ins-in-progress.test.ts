// Unit tests of the sign-ins-in-progress bookkeeping on a manual clock, kept in the store: a browser past
// its cap drops its oldest (with their flows), an address past its cap is refused, ended and expired
// sign-ins stop counting, a sign-in keeps its newest flows (the first one counted with its admission); two instances on one store share the counts,
// and concurrent admissions through both never pass the address's cap.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { REFUSAL_REMEMBERED_MS, SIGNINS_COLLECTION, SignInsInProgress } from '../../src/broker/sign-ins-in-progress.ts';
import { type CappedList, liveEntries } from '../../src/store/capped-list.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { withLatency } from '../support/store-wrapper.ts';

describe('sign-ins in progress', () => {
  const limits = { perBrowser: 2, perIp: 3, flowsPerSignIn: 2 };
  let clock: ManualClock;
  let dir: string;
  let opened: Store;
  let store: Store;
  let signIns: SignInsInProgress;
  const later = () => clock.now() + 60_000;
  /** The sign-ins the store counts at an address (its capped list `ip:<address>`, live entries only). */
  const countedAt = async (ip: string) => liveEntries(await store.get<CappedList>(SIGNINS_COLLECTION, `ip:${ip}`), clock.now()).length;
  const counted = () => countedAt('ip-1');
  const full = async (ip: string) => (await countedAt(ip)) >= limits.perIp;

  beforeEach(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    dir = await mkdtemp(join(tmpdir(), 'denglu-signins-'));
    opened = await createStore({ dataDir: dir, clock });
    store = withLatency(opened);
    signIns = new SignInsInProgress({ store, clock }, limits);
  });
  afterEach(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a browser past its cap drops its oldest sign-in, with its flows', async () => {
    assert.deepEqual(await signIns.admit('a', 'browser-1', 'ip-1', later()), { admitted: true, dropped: [] });
    await signIns.flowStarted('a', 'flow-a', later());
    await signIns.admit('b', 'browser-1', 'ip-1', later());
    const third = await signIns.admit('c', 'browser-1', 'ip-1', later());
    assert.ok(third.admitted);
    assert.deepEqual(
      third.dropped.map((d) => [d.uid, d.flows]),
      [['a', ['flow-a']]],
    );
    assert.equal(await counted(), 2);
    assert.equal(await full('ip-1'), false, 'the dropped sign-in no longer counts at its address');
  });

  it('an address past its cap is refused; another address is not', async () => {
    for (const uid of ['a', 'b', 'c']) assert.ok((await signIns.admit(uid, `browser-${uid}`, 'ip-1', later())).admitted);
    assert.equal(await full('ip-1'), true);
    assert.deepEqual(await signIns.admit('d', 'browser-d', 'ip-1', later()), { admitted: false });
    assert.ok((await signIns.admit('e', 'browser-e', 'ip-2', later())).admitted);
  });

  it('a refused address is turned away by this instance for a few seconds without a store read; another instance still asks', async () => {
    for (const uid of ['a', 'b', 'c']) await signIns.admit(uid, `browser-${uid}`, 'ip-1', later());
    assert.equal(signIns.refusedRecently('ip-1'), false, 'full, but not refused yet');
    assert.deepEqual(await signIns.admit('d', 'browser-d', 'ip-1', later()), { admitted: false });
    assert.equal(signIns.refusedRecently('ip-1'), true);
    assert.equal(signIns.refusedRecently('ip-2'), false);
    assert.equal(new SignInsInProgress({ store, clock }, limits).refusedRecently('ip-1'), false, 'remembered per process');
    clock.advance(REFUSAL_REMEMBERED_MS - 1);
    assert.equal(signIns.refusedRecently('ip-1'), true);
    clock.advance(1);
    assert.equal(signIns.refusedRecently('ip-1'), false, 'forgotten after REFUSAL_REMEMBERED_MS');
    await signIns.ended('a', { ip: 'ip-1', browser: 'browser-a' });
    assert.deepEqual(await signIns.admit('e', 'browser-e', 'ip-1', later()), { admitted: true, dropped: [] });
  });

  it('ended and expired sign-ins stop counting', async () => {
    for (const uid of ['a', 'b', 'c']) await signIns.admit(uid, `browser-${uid}`, 'ip-1', uid === 'c' ? clock.now() + 1000 : later());
    await signIns.ended('a', { ip: 'ip-1', browser: 'browser-a' });
    assert.equal(await full('ip-1'), false);
    await signIns.admit('d', 'browser-d', 'ip-1', later());
    assert.equal(await full('ip-1'), true);
    clock.advance(1000);
    assert.equal(await full('ip-1'), false, 'c expired');
    clock.advance(120_000);
    assert.equal(await counted(), 0);
    assert.deepEqual(await store.list('signins'), [], 'every list expired with its entries');
  });

  it('a sign-in ends where its request is: from another address, the first address keeps counting it until it expires', async () => {
    await signIns.admit('a', 'browser-1', 'ip-1', clock.now() + 10_000);
    await signIns.ended('a', { ip: 'ip-2', browser: 'browser-1' });
    assert.equal(await counted(), 1, 'the address it started from still counts it');
    clock.advance(10_000);
    assert.equal(await counted(), 0, 'until the sign-in would have expired');
    await signIns.admit('b', 'browser-1', 'ip-1', later());
    await signIns.ended('b', { ip: 'ip-1', browser: undefined });
    assert.equal(await counted(), 0, 'without a binding cookie the address still stops counting it');
  });

  it('a sign-in keeps its newest flows', async () => {
    await signIns.admit('a', 'browser-1', 'ip-1', later());
    assert.deepEqual(await signIns.flowStarted('a', 'f1', later()), []);
    assert.deepEqual(await signIns.flowStarted('a', 'f2', later()), []);
    assert.deepEqual(await signIns.flowStarted('a', 'f3', later()), ['f1']);
    assert.deepEqual(await signIns.flowStarted('unknown', 'f4', later()), []);
  });

  it('a flow started with the sign-in is counted by its admission; a refused sign-in counts no flow', async () => {
    assert.ok((await signIns.admit('a', 'browser-1', 'ip-1', later(), { key: 'f1', expiresAt: later() })).admitted);
    assert.deepEqual(await signIns.flowStarted('a', 'f2', later()), []);
    assert.deepEqual(await signIns.flowStarted('a', 'f3', later()), ['f1'], 'the first flow counts toward the cap');
    await signIns.admit('b', 'browser-2', 'ip-1', later());
    await signIns.admit('c', 'browser-3', 'ip-1', later());
    assert.deepEqual(await signIns.admit('d', 'browser-4', 'ip-1', later(), { key: 'fd', expiresAt: later() }), { admitted: false });
    assert.equal(await store.get(SIGNINS_COLLECTION, 'flows:d'), undefined);
    assert.equal(await store.get(SIGNINS_COLLECTION, 'browser:browser-4'), undefined);
    assert.ok((await signIns.admit('e', 'browser-1', 'ip-2', later(), { key: 'fe', expiresAt: later() })).admitted);
    assert.deepEqual(await signIns.admit('g', 'browser-1', 'ip-2', later()), { admitted: true, dropped: [{ uid: 'a', flows: ['f2', 'f3'] }] });
  });

  it('an account linking from its account page keeps its newest flows', async () => {
    assert.deepEqual(await signIns.accountFlowStarted('account-1', 'f1', later()), []);
    assert.deepEqual(await signIns.accountFlowStarted('account-2', 'g1', later()), []);
    assert.deepEqual(await signIns.accountFlowStarted('account-1', 'f2', later()), []);
    assert.deepEqual(await signIns.accountFlowStarted('account-1', 'f3', later()), ['f1']);
    assert.deepEqual(await signIns.accountFlowStarted('account-2', 'g2', later()), []);
  });

  it('two instances share the counts: concurrent admissions through both never pass the address cap; an end on one frees a place on the other', async () => {
    const other = new SignInsInProgress({ store, clock }, limits);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : signIns).admit(`s${i}`, `browser-${i}`, 'ip-1', later())));
    assert.equal(answers.filter((a) => a.admitted).length, limits.perIp);
    assert.equal(await full('ip-1'), true);
    const admitted = answers.findIndex((a) => a.admitted);
    await signIns.ended(`s${admitted}`, { ip: 'ip-1', browser: `browser-${admitted}` });
    assert.equal(await full('ip-1'), false);
  });
});
