// Writes of the PostgreSQL store racing other transactions on the same document: the index keys stay
// exactly those of the document that won, whatever the order the database lets the writers through in.
// A raw connection plays the other instance and holds its transaction open at the point that matters.

import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { writeDocument, writeShape } from '../../src/store/postgres/document-writes.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, type ContractDoc } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');
const DOCS = CONTRACT_COLLECTIONS.find((c) => c.name === 'contract_docs')!;

/** Resolves once a statement of the store's pool waits for a row lock. */
async function waitingForLock(store: PostgresStore): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await store.database.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'denglu'",
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('the store never waited for the row lock');
}

describe('postgres store: writes racing another transaction on the same document', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: PostgresStore;
  let other: pg.Client;
  const clock = new ManualClock(T0);

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
  });

  beforeEach(async () => {
    db = await freshDatabase('write_races');
    store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    other = new pg.Client({ connectionString: db.url });
    await other.connect();
  });

  afterEach(async () => {
    await other?.end().catch(() => {});
    await store?.close();
    await db?.drop();
  });

  /** The other instance rewrites `x` with `handles` in a transaction it commits once `during` started waiting. */
  async function raceWith(handles: string[], during: () => Promise<unknown>): Promise<void> {
    await other.query('BEGIN');
    await writeDocument(other, writeShape(DOCS, false), 'x', { title: 'other', n: 1, handles }, undefined, false, T0);
    const write = during();
    await waitingForLock(store);
    await other.query('COMMIT');
    await write;
  }

  async function keysOfX(): Promise<string[]> {
    const { rows } = await store.database.query("SELECT index_name || '=' || key AS k FROM index_keys WHERE id = 'x' ORDER BY 1");
    return rows.map((r) => r.k);
  }

  it('a put that waited for a concurrent rewrite leaves only its own keys (no stale unique key)', async () => {
    await store.put<ContractDoc>('contract_docs', 'x', { title: 'x', n: 0, handles: ['h0'] });
    await raceWith(['h-other'], () => store.put<ContractDoc>('contract_docs', 'x', { title: 'mine', n: 2, handles: ['h-mine'] }));
    assert.equal((await store.get<ContractDoc>('contract_docs', 'x'))?.title, 'mine');
    assert.deepEqual(await keysOfX(), ['handle=h-mine']);
    assert.equal(await store.findOne('contract_docs', 'handle', 'h-other'), undefined);
    await store.create<ContractDoc>('contract_docs', 'y', { title: 'y', n: 0, handles: ['h-other'] }); // the key is free
  });

  it('a put of a new id that waited for a concurrent create of it leaves only its own keys', async () => {
    await raceWith(['h-other'], () => store.put<ContractDoc>('contract_docs', 'x', { title: 'mine', n: 2, tags: ['t'] }));
    assert.deepEqual(await keysOfX(), ['tag=t']);
  });

  it('a create that waited for a concurrent create of the same id is ERR_ALREADY_EXISTS and changes nothing', async () => {
    await assert.rejects(
      raceWith(['h-other'], () => store.create<ContractDoc>('contract_docs', 'x', { title: 'mine', n: 2, handles: ['h-mine'] })),
      (err: { code?: string }) => err.code === 'ERR_ALREADY_EXISTS',
    );
    assert.equal((await store.get<ContractDoc>('contract_docs', 'x'))?.title, 'other');
    assert.deepEqual(await keysOfX(), ['handle=h-other']);
  });

  it('a put inside a batch that waited for a concurrent rewrite leaves only its own keys', async () => {
    await store.put<ContractDoc>('contract_docs', 'x', { title: 'x', n: 0, handles: ['h0'] });
    await raceWith(['h-other'], () => store.batch([{ op: 'put', collection: 'contract_docs', id: 'x', value: { title: 'mine', n: 2, handles: ['h-mine'] } }]));
    assert.deepEqual(await keysOfX(), ['handle=h-mine']);
  });

  it('a delete or take that waited for a concurrent rewrite removes every key the rewrite added', async () => {
    await store.put<ContractDoc>('contract_docs', 'x', { title: 'x', n: 0, handles: ['h0'] });
    await raceWith(['h-other'], () => store.delete('contract_docs', 'x'));
    assert.deepEqual(await keysOfX(), []);
    await store.put<ContractDoc>('contract_docs', 'x', { title: 'x', n: 0, handles: ['h0'] });
    await raceWith(['h-other'], () => store.take('contract_docs', 'x'));
    assert.deepEqual(await keysOfX(), []);
  });

  it('no key outlives its document: delete, take, sweep, a batch delete, a load over an expired id and an expired holder taken over', async () => {
    const orphans = async () =>
      (
        await store.database.query(
          'SELECT count(*)::int AS n FROM index_keys k WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.collection = k.collection AND d.id = k.id)',
        )
      ).rows[0].n;
    const keys = async () => (await store.database.query('SELECT count(*)::int AS n FROM index_keys')).rows[0].n;
    for (const id of ['d', 't', 'b']) await store.put<ContractDoc>('contract_docs', id, { title: id, n: 0, handles: [`h-${id}`], tags: ['x'] });
    await store.put<ContractDoc>('contract_docs', 's', { title: 's', n: 0, handles: ['h-s'] }, { expiresAt: T0 + 10 });
    await store.put<ContractDoc>('contract_docs', 'l', { title: 'l', n: 0, handles: ['h-l'] }, { expiresAt: T0 + 10 });
    await store.put<ContractDoc>('contract_docs', 'e', { title: 'e', n: 0, handles: ['h-e'] }, { expiresAt: T0 + 10 });
    assert.equal(await keys(), 9);
    await store.delete('contract_docs', 'd');
    await store.take('contract_docs', 't');
    await store.batch([{ op: 'delete', collection: 'contract_docs', id: 'b' }]);
    assert.equal(await keys(), 3);
    clock.set(T0 + 10);
    try {
      await store.put<ContractDoc>('contract_docs', 'n', { title: 'n', n: 0, handles: ['h-e'] }); // takes over the expired holder's key
      await store.load('contract_docs', [{ id: 'l', value: { title: 'l', n: 1 } }]);
      assert.equal(await store.sweepExpired(), 1);
    } finally {
      clock.set(T0);
    }
    assert.equal(await orphans(), 0);
    assert.equal(await keys(), 1);
  });

  it('an update waits for the row lock and rewrites the keys of the version it read', async () => {
    await store.put<ContractDoc>('contract_docs', 'x', { title: 'x', n: 0, handles: ['h0'] });
    await raceWith(['h-other'], () => store.update<ContractDoc>('contract_docs', 'x', (d) => ({ ...d, handles: [...(d.handles ?? []), 'h-mine'] })));
    assert.deepEqual(await keysOfX(), ['handle=h-mine', 'handle=h-other']);
  });

  it('a put that a deadlock over unique keys chose as its victim runs again (ERR_CONFLICT, not unavailable)', async () => {
    // The other session checks for deadlock long after the store's (1 s): on a loaded machine the two
    // checks could otherwise run in either order and make the other session the victim.
    await other.query("SET deadlock_timeout = '30s'");
    await other.query('BEGIN');
    await writeDocument(other, writeShape(DOCS, false), 'b', { title: 'other', n: 1, handles: ['k2'] }, undefined, false, T0);
    const mine = store.put<ContractDoc>('contract_docs', 'a', { title: 'mine', n: 1, handles: ['k1', 'k2'] }).then(
      () => 'written',
      (err: { code?: string }) => err.code,
    );
    await waitingForLock(store); // holds k1, waits for k2
    await writeDocument(other, writeShape(DOCS, false), 'b', { title: 'other', n: 2, handles: ['k2', 'k1'] }, undefined, false, T0); // waits for k1: a cycle
    await other.query('COMMIT');
    assert.equal(await mine, 'ERR_CONFLICT');
    assert.equal((await store.findOne<ContractDoc>('contract_docs', 'handle', 'k1'))?.id, 'b');
    assert.equal(await store.get('contract_docs', 'a'), undefined);
  });

  it('many concurrent puts of one document over two pools all succeed, and its keys are those of the last', async () => {
    const b = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? store : b).put<ContractDoc>('contract_docs', 'x', { title: `${i}`, n: i, handles: [`h${i}`], tags: [`t${i % 3}`] }),
        ),
      );
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
        [],
      );
      const last = (await store.get<ContractDoc>('contract_docs', 'x'))!;
      assert.deepEqual(await keysOfX(), [`handle=h${last.n}`, `tag=t${last.n % 3}`]);
    } finally {
      await b.close();
    }
  });
  it('an upsertMany whose absent id the other instance creates meanwhile computes it from what that wrote, and overwrites nothing', async () => {
    await store.create<ContractDoc>('contract_docs', 'present', { title: 'present', n: 10 });
    await other.query('BEGIN');
    await writeDocument(other, writeShape(DOCS, false), 'x', { title: 'other', n: 100, handles: ['h-other'] }, undefined, true, T0);
    const seen: (number | undefined)[] = [];
    const write = store.upsertMany<ContractDoc>('contract_docs', [
      { id: 'present', fn: (c) => ({ ...c!, n: c!.n + 1 }) },
      {
        id: 'x',
        fn: (c) => {
          seen.push(c?.n);
          return { title: c?.title ?? 'mine', n: (c?.n ?? 0) + 1, handles: c ? ['h-mine'] : ['h-absent'] };
        },
      },
    ]);
    await waitingForLock(store); // its insert of x waits for the other transaction
    await other.query('COMMIT');
    await write;
    assert.deepEqual(seen, [undefined, 100], 'computed first as absent, then again from the committed document');
    assert.deepEqual(await store.get('contract_docs', 'x'), { title: 'other', n: 101, handles: ['h-mine'] });
    assert.deepEqual(await store.get('contract_docs', 'present'), { title: 'present', n: 11 }, 'applied once');
    assert.deepEqual(await keysOfX(), ['handle=h-mine']);
  });
});
