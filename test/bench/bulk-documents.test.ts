// The impact bench's raw events written straight into PostgreSQL (bench/bulk-documents.ts, for 10,000,000
// of them) are the same documents, with the same text and expiry, as the store's own load writes: the
// population generated twice, once each way, dumps identically; and the bulk path refuses a collection
// with index keys (it writes none).

import assert from 'node:assert/strict';
import pg from 'pg';
import { BulkDocuments } from '../../bench/bulk-documents.ts';
import { IMPACT_NOW, loadImpactPopulation } from '../../bench/impact-population.ts';
import { ManualClock } from '../../src/clock.ts';
import { LOGIN_EVENTS_COLLECTION } from '../../src/events/forget-account.ts';
import { createStore } from '../../src/store/create-store.ts';
import type { DumpedDocument, Store } from '../../src/store/store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

describe('bench: raw events bulk-inserted into PostgreSQL', function () {
  this.timeout(60_000);
  const clock = new ManualClock(IMPACT_NOW);
  const dbs: TestDatabase[] = [];
  const stores: Store[] = [];

  before(async function () {
    if (!(await postgresAvailable())) return this.skip();
  });
  after(async () => {
    for (const s of stores) await s.close();
    for (const d of dbs) await d.drop();
  });

  async function populated(bulk: boolean): Promise<{ store: Store; url: string }> {
    const db = await freshDatabase(bulk ? 'bulk_raw' : 'load_raw');
    dbs.push(db);
    const store = await createStore({ dataDir: '', databaseUrl: db.url, clock });
    stores.push(store);
    const writer = bulk ? await BulkDocuments.connect(db.url) : undefined;
    try {
      const counts = await loadImpactPopulation(store, {
        accounts: 12_000, // more than one chunk of accounts, more than one bulk statement of events
        eventsPerAccount: 2,
        raw: true,
        ...(writer ? { writeRaw: (docs: DumpedDocument[]) => writer.insert(LOGIN_EVENTS_COLLECTION, docs) } : {}),
      });
      assert.equal(counts.events, 24_000);
    } finally {
      await writer?.close();
    }
    return { store, url: db.url };
  }

  async function dumpAll(store: Store, collection: string): Promise<DumpedDocument[]> {
    const out: DumpedDocument[] = [];
    for (let after: string | undefined; ; ) {
      const page = await store.dump(collection, { ...(after ? { after } : {}), limit: 5000 });
      out.push(...page);
      if (page.length < 5000) return out;
      after = page.at(-1)!.id;
    }
  }

  async function texts(url: string): Promise<string[]> {
    const c = new pg.Client(url);
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT id || ' ' || doc::text || ' ' || expires_at AS t FROM documents WHERE collection = $1 ORDER BY id`, [
        LOGIN_EVENTS_COLLECTION,
      ]);
      return rows.map((r) => r.t as string);
    } finally {
      await c.end();
    }
  }

  it('writes the documents, text and expiry Store.load writes, and refuses an indexed collection', async () => {
    const loaded = await populated(false);
    const bulk = await populated(true);
    const a = await dumpAll(loaded.store, LOGIN_EVENTS_COLLECTION);
    assert.equal(a.length, 24_000);
    assert.deepEqual(await dumpAll(bulk.store, LOGIN_EVENTS_COLLECTION), a);
    assert.deepEqual(await texts(bulk.url), await texts(loaded.url));
    assert.deepEqual(await dumpAll(bulk.store, 'shop_usage'), await dumpAll(loaded.store, 'shop_usage'));
    const writer = await BulkDocuments.connect(bulk.url);
    try {
      await assert.rejects(writer.insert('shop_usage', [{ id: 'x', value: {} }]), /has indexes/);
    } finally {
      await writer.close();
    }
  });
});
