// Unit tests of the sign-ins-in-progress bookkeeping on a manual clock, kept in the store: a browser past
// its cap drops its oldest (with their flows), an address past its cap is refused, ended and expired
// sign-ins stop counting, a sign-in keeps its newest flows; two instances on one store share the counts,
// and concurrent admissions through both never pass the address's cap (when they see each other's
// documents alike) nor its cap plus the admissions in progress (when they do not); a login costs at most
// six PostgreSQL statements of bookkeeping and rewrites no document shared by its address.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { SignInsInProgress } from '../../src/broker/sign-ins-in-progress.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { withLatency, wrapStore } from '../support/store-wrapper.ts';

describe('sign-ins in progress', () => {
  const limits = { perBrowser: 2, perIp: 3, flowsPerSignIn: 2 };
  let clock: ManualClock;
  let dir: string;
  let opened: Store;
  let store: Store;
  let signIns: SignInsInProgress;
  const later = () => clock.now() + 60_000;
  const counted = async () => (await store.list('signins')).filter((d) => d.id.startsWith('uid:')).length;
  let flowsMade = 0;
  /** Stores a flow as the broker does (src/broker/broker.ts), then tells the bookkeeping. */
  const startFlow = async (id: string, owner: { interactionUid: string } | { accountId: string }) => {
    await store.create('flows', id, { id, ...owner, createdAt: clock.now() + flowsMade++ }, { expiresAt: later() });
    return 'interactionUid' in owner ? signIns.flowStarted(owner.interactionUid, id) : signIns.accountFlowStarted(owner.accountId, id);
  };

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
    await startFlow('flow-a', { interactionUid: 'a' });
    await signIns.admit('b', 'browser-1', 'ip-1', later());
    const third = await signIns.admit('c', 'browser-1', 'ip-1', later());
    assert.ok(third.admitted);
    assert.deepEqual(
      third.dropped.map((d) => [d.uid, d.flows]),
      [['a', ['flow-a']]],
    );
    assert.equal(await counted(), 2);
    assert.equal(await signIns.full('ip-1'), false, 'the dropped sign-in no longer counts at its address');
  });

  it('an address past its cap is refused; another address is not', async () => {
    for (const uid of ['a', 'b', 'c']) assert.ok((await signIns.admit(uid, `browser-${uid}`, 'ip-1', later())).admitted);
    assert.equal(await signIns.full('ip-1'), true);
    assert.deepEqual(await signIns.admit('d', 'browser-d', 'ip-1', later()), { admitted: false });
    assert.ok((await signIns.admit('e', 'browser-e', 'ip-2', later())).admitted);
  });

  it('ended and expired sign-ins stop counting', async () => {
    for (const uid of ['a', 'b', 'c']) await signIns.admit(uid, `browser-${uid}`, 'ip-1', uid === 'c' ? clock.now() + 1000 : later());
    await signIns.ended('a');
    assert.equal(await signIns.full('ip-1'), false);
    await signIns.admit('d', 'browser-d', 'ip-1', later());
    assert.equal(await signIns.full('ip-1'), true);
    clock.advance(1000);
    assert.equal(await signIns.full('ip-1'), false, 'c expired');
    clock.advance(120_000);
    assert.equal(await counted(), 0, 'everything expired is gone');
  });

  it('a sign-in keeps its newest flows', async () => {
    await signIns.admit('a', 'browser-1', 'ip-1', later());
    assert.deepEqual(await startFlow('f1', { interactionUid: 'a' }), []);
    assert.deepEqual(await startFlow('f2', { interactionUid: 'a' }), []);
    assert.deepEqual(await startFlow('f3', { interactionUid: 'a' }), ['f1']);
    assert.deepEqual(await startFlow('f4', { interactionUid: 'unknown' }), []);
    await store.delete('flows', 'f1');
    await store.take('flows', 'f2');
    assert.deepEqual(await startFlow('f5', { interactionUid: 'a' }), [], 'a finished flow no longer counts');
    assert.deepEqual(await startFlow('f6', { interactionUid: 'a' }), ['f3']);
  });

  it('an account linking from its account page keeps its newest flows', async () => {
    assert.deepEqual(await startFlow('f1', { accountId: 'account-1' }), []);
    assert.deepEqual(await startFlow('g1', { accountId: 'account-2' }), []);
    assert.deepEqual(await startFlow('f2', { accountId: 'account-1' }), []);
    assert.deepEqual(await startFlow('f3', { accountId: 'account-1' }), ['f1']);
    assert.deepEqual(await startFlow('g2', { accountId: 'account-2' }), []);
  });

  it('two instances share the counts: concurrent admissions through both never pass the address cap; an end on one frees a place on the other', async () => {
    const other = new SignInsInProgress({ store, clock }, limits);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : signIns).admit(`s${i}`, `browser-${i}`, 'ip-1', later())));
    assert.equal(answers.filter((a) => a.admitted).length, limits.perIp);
    assert.equal(await other.full('ip-1'), true);
    const admitted = answers.findIndex((a) => a.admitted);
    await signIns.ended(`s${admitted}`);
    assert.equal(await other.full('ip-1'), false);
  });

  it('instances whose clocks differ admit at most the cap plus the sign-ins admitted within that difference', async () => {
    // The address's order is by admission time: an instance whose clock runs behind may place a sign-in
    // ahead of one just admitted elsewhere, both then count (the cap plus one), and the next is refused.
    const ahead = new SignInsInProgress({ store, clock: new ManualClock(clock.now() + 1000) }, limits);
    for (const uid of ['a', 'b']) assert.ok((await signIns.admit(uid, `browser-${uid}`, 'ip-1', later())).admitted);
    assert.ok((await ahead.admit('c', 'browser-c', 'ip-1', later())).admitted);
    assert.ok((await signIns.admit('d', 'browser-d', 'ip-1', later())).admitted, 'admitted within the clocks’ difference of c');
    assert.equal(await counted(), limits.perIp + 1);
    clock.advance(1000);
    assert.deepEqual(await signIns.admit('e', 'browser-e', 'ip-1', later()), { admitted: false });
    assert.deepEqual(await ahead.admit('f', 'browser-f', 'ip-1', later()), { admitted: false });
    assert.equal(await counted(), limits.perIp + 1, 'a refused sign-in leaves no document');
  });

  it('a login costs at most six statements of bookkeeping on PostgreSQL and rewrites no document of its address', async () => {
    // Statements per Store call on PostgreSQL (src/store/postgres/): an update is three round trips
    // (BEGIN with the row lock, the write, COMMIT); every other call is one statement.
    const STATEMENTS: Record<string, number> = { update: 3 };
    const calls: string[] = [];
    const counting = wrapStore(store, (method) => {
      calls.push(method);
    });
    const writes: string[] = [];
    const watched = new Proxy(counting, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (!['put', 'create', 'update', 'delete', 'take'].includes(String(property))) return value;
        return (collection: string, id: string, ...rest: unknown[]) => {
          if (collection === 'signins') writes.push(id);
          return value.call(target, collection, id, ...rest);
        };
      },
    });
    const counted = new SignInsInProgress({ store: watched, clock }, limits);
    // Another login from the same address is in progress: its document must stay untouched.
    await signIns.admit('other', 'browser-other', 'ip-1', later());
    await store.create('flows', 'flow-1', { id: 'flow-1', interactionUid: 'login', createdAt: clock.now() }, { expiresAt: later() });
    const costs: Record<string, number> = {};
    const measure = async (step: string, run: () => Promise<unknown>) => {
      calls.length = 0;
      await run();
      costs[step] = calls.reduce((sum, method) => sum + (STATEMENTS[method] ?? 1), 0);
    };
    await measure('full', () => counted.full('ip-1'));
    await measure('admit', () => counted.admit('login', 'browser-1', 'ip-1', later()));
    await measure('flowStarted', () => counted.flowStarted('login', 'flow-1'));
    await measure('ended', () => counted.ended('login'));
    const total = Object.values(costs).reduce((a, b) => a + b, 0);
    assert.ok(total <= 6, `statements per login: ${JSON.stringify(costs)} = ${total}`);
    assert.deepEqual([...new Set(writes)], ['uid:login'], 'only the sign-in’s own document is written');
    assert.equal(await counted.full('ip-1'), false);
  });
});
