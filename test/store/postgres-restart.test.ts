// The PostgreSQL store across a database restart, on a throwaway cluster of this test's own (initdb in a
// temporary directory on a free port, so other suites are not disturbed): while the database is down every
// call fails fast with ERR_STORE_UNAVAILABLE (never a crash or a hang), and once it is back the pool and
// the change listener recover by themselves.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { startThrowawayCluster, throwawayClusterAvailable, type ThrowawayCluster } from '../support/pg-cluster.ts';
import { CONTRACT_COLLECTIONS, type CachedDoc } from './store.contract.ts';

describe('postgres store: the database restarts', function () {
  this.timeout(60_000);
  let cluster: ThrowawayCluster | undefined;
  let store: PostgresStore | undefined;
  const clock = new ManualClock(Date.parse('2013-09-01T00:00:00Z'));

  before(async function () {
    if (!throwawayClusterAvailable()) this.skip();
    cluster = await startThrowawayCluster();
  });
  after(async () => {
    await store?.close();
    await cluster?.remove();
  });

  it('fails fast while the database is down and recovers by itself when it is back', async () => {
    const warnings: string[] = [];
    store = await PostgresStore.open({
      url: cluster!.url,
      clock,
      collections: CONTRACT_COLLECTIONS,
      pool: { waitMs: 1000 },
      log: { info: () => {}, warn: (m) => warnings.push(m) },
    });
    await store.put('contract_docs', 'a', { title: 'a', n: 1 });
    await store.put('contract_cached', 'p', { name: 'p', clients: [] });
    assert.equal((await store.get<CachedDoc>('contract_cached', 'p'))?.name, 'p');

    const heard: (string | undefined)[] = [];
    store.watch('contract_docs', (id) => heard.push(id));
    await cluster!.stop();
    for (const call of [
      () => store!.get('contract_docs', 'a'),
      () => store!.put('contract_docs', 'b', { title: 'b', n: 0 }),
      () => store!.update('contract_docs', 'a', (d) => d),
      () => store!.ready(),
    ]) {
      const started = Date.now();
      await assert.rejects(call(), (err: { code?: string; status?: number }) => err.code === 'ERR_STORE_UNAVAILABLE' && err.status === 503);
      assert.ok(Date.now() - started < 3000, `failed within the wait bound (${Date.now() - started} ms)`);
    }

    await cluster!.start();
    assert.deepEqual(await store.get('contract_docs', 'a'), { title: 'a', n: 1 }, 'the pool reconnects');
    await store.ready();
    const started = Date.now();
    for (;;) {
      await store.put('contract_docs', 'c', { title: 'c', n: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (heard.includes('c')) break;
      assert.ok(Date.now() - started < 15_000, 'the change listener reconnected');
    }
    assert.ok(
      warnings.some((w) => /change notifications .* lost/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(heard.includes(undefined), 'watchers were told that changes may have been missed while the listener was away');
    assert.ok(warnings.every((w) => !/password/i.test(w)));
  });
});
