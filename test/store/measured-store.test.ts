// The measured store (create-store.ts with metrics): it keeps every promise of the store contract, and
// reports each operation's duration by operation name and each failure by operation and error code.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { Store } from '../../src/store/store.ts';
import { parseExposition, sampleValue } from '../support/prometheus-text.ts';
import { CONTRACT_COLLECTIONS, describeStoreContract } from './store.contract.ts';

describeStoreContract(
  'measured (embedded)',
  async (clock) => {
    const dir = await mkdtemp(join(tmpdir(), 'denglu-measured-'));
    const metrics = new GatewayMetrics();
    const opened: Store[] = [];
    const open = async () => {
      const store = await createStore({ dataDir: dir, clock, collections: CONTRACT_COLLECTIONS, metrics });
      opened.push(store);
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const store of opened) await store.close().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

describe('measured store', () => {
  let dir: string;
  let store: Store;
  let metrics: GatewayMetrics;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-measured-'));
    metrics = new GatewayMetrics();
    store = await createStore({ dataDir: dir, clock: new ManualClock(), collections: CONTRACT_COLLECTIONS, metrics });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const counts = async () => {
    const values = (await metrics.storeDuration.get()).values;
    return Object.fromEntries(values.filter((v) => v.metricName?.endsWith('_count')).map((v) => [v.labels.operation, v.value]));
  };

  it('times each operation under its name, failed ones included, and counts failures by code', async () => {
    await store.create('contract_docs', 'a', { title: 'a', n: 0 });
    await store.get('contract_docs', 'a');
    await store.get('contract_docs', 'missing');
    await assert.rejects(store.create('contract_docs', 'a', { title: 'again', n: 0 }), { code: 'ERR_ALREADY_EXISTS' });
    await assert.rejects(
      store.update('contract_docs', 'a', () => {
        throw new Error('refused by the caller');
      }),
    );
    await store.exclusive('job', async () => store.count('contract_docs'));
    assert.deepEqual(await counts(), { create: 2, get: 2, update: 1, count: 1 });
    const e = parseExposition((await metrics.exposition()).body);
    assert.equal(sampleValue(e, 'denglu_store_errors_total', { operation: 'create', code: 'ERR_ALREADY_EXISTS' }), 1);
    assert.equal(sampleValue(e, 'denglu_store_errors_total', { operation: 'update', code: 'other' }), 1);
    assert.equal(sampleValue(e, 'denglu_store_errors_total', { operation: 'get', code: 'other' }), 0);
  });

  it('hands out what the backend does and says what backend it is', async () => {
    await store.put('contract_docs', 'b', { title: 'b', n: 1 });
    assert.deepEqual(await store.get('contract_docs', 'b'), { title: 'b', n: 1 });
    assert.equal(store.info.backend, 'embedded');
  });
});
