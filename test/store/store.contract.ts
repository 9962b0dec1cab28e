// The Store contract: what every backend (lowdb today, PostgreSQL later) must do, as one mocha suite.
// A backend test calls describeStoreContract with a factory that opens its store over CONTRACT_COLLECTIONS.
// Nothing here knows a backend: time comes from the ManualClock handed to the factory, durability from reopen.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import type { CollectionSpec, Store } from '../../src/store/store.ts';
import { USAGE_COLLECTION, type UsageClass, type UsageSummary } from '../../src/store/usage-tally.ts';

export interface ContractDoc {
  title: string;
  n: number;
  /** unique index `handle` (several keys per document) */
  handles?: string[];
  /** non-unique index `tag` */
  tags?: string[];
  nested?: { list: number[] };
}

/** A document of the `cached` collection. */
export interface CachedDoc {
  name: string;
  clients: string[];
}

export interface ContractToken {
  owner: string;
  n: number;
}

/** The collections the suite writes; a backend under test opens its store with exactly these. */
export const CONTRACT_COLLECTIONS: readonly CollectionSpec[] = [
  {
    name: 'contract_docs',
    group: 'domain',
    indexes: {
      handle: { unique: true, keys: (d: ContractDoc) => d.handles ?? [] },
      tag: { keys: (d: ContractDoc) => d.tags ?? [] },
    },
  },
  { name: 'contract_events', group: 'domain' },
  {
    name: 'contract_tokens',
    group: 'ephemeral',
    indexes: { owner: { keys: (t: ContractToken) => [t.owner] } },
  },
  {
    name: 'contract_cached',
    group: 'domain',
    cached: true,
    indexes: { client: { unique: true, keys: (d: CachedDoc) => d.clients } },
  },
  {
    name: 'contract_inflight',
    group: 'volatile',
    indexes: { owner: { unique: true, keys: (t: ContractToken) => [t.owner] } },
  },
  /** The shop-usage summaries Store.tallyUsage reads, as Denglu declares them. */
  COLLECTIONS.find((c) => c.name === USAGE_COLLECTION)!,
];

export interface ContractHarness {
  store: Store;
  /** Opens the same data again; the suite has closed the previous store first. Required when durable. */
  reopen?: () => Promise<Store>;
  /** Closes every store the harness opened that is still open, and deletes the data. */
  cleanup: () => Promise<void>;
}

const DOCS = 'contract_docs';
const EVENTS = 'contract_events';
const TOKENS = 'contract_tokens';
const CACHED = 'contract_cached';
const T0 = Date.parse('2013-09-01T00:00:00Z');

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: string }).code, code, `expected ${code}, got ${String(err)}`);
    return true;
  });
}

function doc(title: string, extra: Partial<ContractDoc> = {}): ContractDoc {
  return { title, n: 0, ...extra };
}

function ids(rows: { id: string }[]): string[] {
  return rows.map((r) => r.id);
}

export function describeStoreContract(label: string, make: (clock: ManualClock) => Promise<ContractHarness>, caps: { durable: boolean }): void {
  describe(`contract: store/${label}`, function () {
    this.timeout(20_000);
    let clock: ManualClock;
    let harness: ContractHarness;
    let store: Store;

    beforeEach(async () => {
      clock = new ManualClock(T0);
      harness = await make(clock);
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    /** Closes the store and opens the same data again. */
    async function reopen(): Promise<Store> {
      assert.ok(harness.reopen, 'a durable backend must provide reopen');
      await store.close();
      store = await harness.reopen();
      return store;
    }

    describe('single documents', () => {
      it('get returns undefined for an absent id and the document after create', async () => {
        assert.equal(await store.get(DOCS, 'a'), undefined);
        await store.create(DOCS, 'a', doc('first', { nested: { list: [1, 2] } }));
        assert.deepEqual(await store.get(DOCS, 'a'), doc('first', { nested: { list: [1, 2] } }));
      });

      it('create refuses a live id with ERR_ALREADY_EXISTS and keeps the first document', async () => {
        await store.create(DOCS, 'a', doc('first'));
        await rejectsWithCode(store.create(DOCS, 'a', doc('second')), 'ERR_ALREADY_EXISTS');
        assert.deepEqual(await store.get(DOCS, 'a'), doc('first'));
        assert.equal(await store.count(DOCS), 1);
      });

      it('documents come back as written, keys in their order', async () => {
        await store.put(EVENTS, 'ordered', { zeta: 1, alpha: { z: [3, 1], a: 'ü 登录' }, mid: null, b: true });
        assert.equal(JSON.stringify(await store.get(EVENTS, 'ordered')), '{"zeta":1,"alpha":{"z":[3,1],"a":"ü 登录"},"mid":null,"b":true}');
      });

      it('put inserts and replaces', async () => {
        await store.put(DOCS, 'a', doc('first'));
        await store.put(DOCS, 'a', doc('second', { n: 2 }));
        assert.deepEqual(await store.get(DOCS, 'a'), doc('second', { n: 2 }));
        assert.equal(await store.count(DOCS), 1);
      });

      it('collections are separate namespaces', async () => {
        await store.put(DOCS, 'same', doc('doc'));
        await store.put(EVENTS, 'same', { kind: 'event' });
        assert.deepEqual(await store.get(DOCS, 'same'), doc('doc'));
        assert.deepEqual(await store.get(EVENTS, 'same'), { kind: 'event' });
        assert.equal(await store.get(TOKENS, 'same'), undefined);
      });

      it('update returns and stores the next document', async () => {
        await store.create(DOCS, 'a', doc('first', { n: 1 }));
        const seen: ContractDoc[] = [];
        const next = await store.update<ContractDoc>(DOCS, 'a', (current) => {
          seen.push(current);
          return { ...current, n: current.n + 1 };
        });
        assert.deepEqual(seen, [doc('first', { n: 1 })]);
        assert.deepEqual(next, doc('first', { n: 2 }));
        assert.deepEqual(await store.get(DOCS, 'a'), doc('first', { n: 2 }));
      });

      it('update of an absent id fails with ERR_NOT_FOUND and creates nothing', async () => {
        let called = false;
        await rejectsWithCode(
          store.update<ContractDoc>(DOCS, 'missing', (c) => {
            called = true;
            return c;
          }),
          'ERR_NOT_FOUND',
        );
        assert.equal(called, false);
        assert.equal(await store.get(DOCS, 'missing'), undefined);
        assert.equal(await store.count(DOCS), 0);
      });

      it('an fn that throws rejects the update with its error and changes nothing', async () => {
        await store.create(DOCS, 'a', doc('first', { handles: ['h1'] }), { expiresAt: T0 + 1000 });
        const boom = new Error('boom');
        await assert.rejects(
          store.update<ContractDoc>(DOCS, 'a', () => {
            throw boom;
          }),
          (err) => err === boom,
        );
        assert.deepEqual(await store.get(DOCS, 'a'), doc('first', { handles: ['h1'] }));
        assert.equal((await store.findOne(DOCS, 'handle', 'h1'))?.id, 'a');
        clock.set(T0 + 999);
        assert.ok(await store.get(DOCS, 'a'), 'the expiry is unchanged too');
        clock.set(T0 + 1000);
        assert.equal(await store.get(DOCS, 'a'), undefined);
      });

      it('delete reports whether a live document was removed', async () => {
        await store.create(DOCS, 'a', doc('first'));
        assert.equal(await store.delete(DOCS, 'a'), true);
        assert.equal(await store.get(DOCS, 'a'), undefined);
        assert.equal(await store.delete(DOCS, 'a'), false);
        assert.equal(await store.delete(DOCS, 'never'), false);
        await store.create(DOCS, 'a', doc('again'));
        assert.deepEqual(await store.get(DOCS, 'a'), doc('again'));
      });

      it('take returns the document once and removes it', async () => {
        await store.create(TOKENS, 't', { owner: 'o', n: 1 });
        assert.deepEqual(await store.take(TOKENS, 't'), { owner: 'o', n: 1 });
        assert.equal(await store.take(TOKENS, 't'), undefined);
        assert.equal(await store.get(TOKENS, 't'), undefined);
        assert.equal(await store.take(TOKENS, 'never'), undefined);
        assert.deepEqual(await store.find(TOKENS, 'owner', 'o'), []);
      });

      it('an unknown collection is refused', async () => {
        await assert.rejects(store.put('contract_nope', 'a', { x: 1 }));
        await assert.rejects(store.get('contract_nope', 'a'));
      });
    });

    describe('secondary indexes', () => {
      it('find returns every live document under a key, findOne the holder of a unique key', async () => {
        await store.create(DOCS, 'a', doc('a', { tags: ['red', 'blue'], handles: ['ha'] }));
        await store.create(DOCS, 'b', doc('b', { tags: ['red'] }));
        await store.create(DOCS, 'c', doc('c', { tags: ['green'] }));
        const red = await store.find<ContractDoc>(DOCS, 'tag', 'red');
        assert.deepEqual(red.map((d) => d.title).sort(), ['a', 'b']);
        assert.deepEqual(await store.find(DOCS, 'tag', 'purple'), []);
        assert.deepEqual(await store.findOne(DOCS, 'handle', 'ha'), {
          id: 'a',
          value: doc('a', { tags: ['red', 'blue'], handles: ['ha'] }),
        });
        assert.equal(await store.findOne(DOCS, 'handle', 'nobody'), undefined);
      });

      it('indexes follow put, update and delete', async () => {
        await store.create(DOCS, 'a', doc('a', { tags: ['red'], handles: ['h1'] }));
        await store.put(DOCS, 'a', doc('a', { tags: ['blue'], handles: ['h2'] }));
        assert.deepEqual(await store.find(DOCS, 'tag', 'red'), []);
        assert.equal((await store.find(DOCS, 'tag', 'blue')).length, 1);
        assert.equal(await store.findOne(DOCS, 'handle', 'h1'), undefined);
        await store.update<ContractDoc>(DOCS, 'a', (d) => ({ ...d, tags: ['green'], handles: ['h3'] }));
        assert.deepEqual(await store.find(DOCS, 'tag', 'blue'), []);
        assert.equal((await store.findOne(DOCS, 'handle', 'h3'))?.id, 'a');
        await store.delete(DOCS, 'a');
        assert.deepEqual(await store.find(DOCS, 'tag', 'green'), []);
        assert.equal(await store.findOne(DOCS, 'handle', 'h3'), undefined);
      });

      it('a key keeps every holder as holders come and go (one, several, one, none, one again)', async () => {
        const red = async () => (await store.find<ContractDoc>(DOCS, 'tag', 'red')).map((d) => d.title).sort();
        const listed = async () => (await store.list<ContractDoc>(DOCS, { index: { name: 'tag', key: 'red' } })).map((d) => d.id);
        await store.create(DOCS, 'a', doc('a', { tags: ['red', 'red'] })); // a key listed twice by one document
        assert.deepEqual(await red(), ['a']);
        await store.create(DOCS, 'b', doc('b', { tags: ['red'] }));
        await store.create(DOCS, 'c', doc('c', { tags: ['red'] }));
        assert.deepEqual(await red(), ['a', 'b', 'c']);
        assert.deepEqual(await listed(), ['a', 'b', 'c']);
        await store.delete(DOCS, 'a');
        await store.put(DOCS, 'c', doc('c', { tags: ['blue'] }));
        assert.deepEqual(await red(), ['b']);
        assert.deepEqual(await listed(), ['b']);
        await store.put(DOCS, 'b', doc('b', { tags: ['red', 'blue'] })); // rewritten, keeping its key
        assert.deepEqual(await red(), ['b']);
        await store.delete(DOCS, 'b');
        assert.deepEqual(await red(), []);
        assert.deepEqual(
          (await store.find<ContractDoc>(DOCS, 'tag', 'blue')).map((d) => d.title),
          ['c'],
        );
        await store.create(DOCS, 'a', doc('a', { tags: ['red'] }));
        assert.deepEqual(await red(), ['a']);
      });

      it('count counts live documents of one collection', async () => {
        assert.equal(await store.count(DOCS), 0);
        await store.create(DOCS, 'a', doc('a'));
        await store.create(DOCS, 'b', doc('b'), { expiresAt: T0 + 10 });
        await store.create(EVENTS, 'e', { kind: 'x' });
        assert.equal(await store.count(DOCS), 2);
        clock.set(T0 + 10);
        assert.equal(await store.count(DOCS), 1);
        assert.equal(await store.count(EVENTS), 1);
      });
    });

    describe('unique indexes', () => {
      it('create and put fail with ERR_CONFLICT on a taken key and change nothing', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1'] }));
        await rejectsWithCode(store.create(DOCS, 'b', doc('b', { handles: ['h1'] })), 'ERR_CONFLICT');
        await rejectsWithCode(store.put(DOCS, 'b', doc('b', { handles: ['h1'] })), 'ERR_CONFLICT');
        assert.equal(await store.get(DOCS, 'b'), undefined);
        assert.equal((await store.findOne(DOCS, 'handle', 'h1'))?.id, 'a');
        assert.equal(await store.count(DOCS), 1);
      });

      it('a put that replaces b keeps b untouched when its new key is taken', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1'] }));
        await store.create(DOCS, 'b', doc('b', { handles: ['h2'] }));
        await rejectsWithCode(store.put(DOCS, 'b', doc('b2', { handles: ['h1'] })), 'ERR_CONFLICT');
        assert.deepEqual(await store.get(DOCS, 'b'), doc('b', { handles: ['h2'] }));
        assert.equal((await store.findOne(DOCS, 'handle', 'h2'))?.id, 'b');
      });

      it('a document may keep its own keys when it is rewritten', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1', 'h2'] }));
        await store.put(DOCS, 'a', doc('a2', { handles: ['h2', 'h1'] }));
        await store.update<ContractDoc>(DOCS, 'a', (d) => ({ ...d, n: 5 }));
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a2', { n: 5, handles: ['h2', 'h1'] }));
      });

      it('multi-key documents conflict on any shared key', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1', 'h2', 'h3'] }));
        await rejectsWithCode(store.create(DOCS, 'b', doc('b', { handles: ['h9', 'h3'] })), 'ERR_CONFLICT');
        await store.create(DOCS, 'b', doc('b', { handles: ['h9', 'h4'] }));
        for (const [key, id] of [
          ['h1', 'a'],
          ['h2', 'a'],
          ['h3', 'a'],
          ['h9', 'b'],
          ['h4', 'b'],
        ] as const) {
          assert.equal((await store.findOne(DOCS, 'handle', key))?.id, id, key);
        }
      });

      it('update fails with ERR_CONFLICT on a taken key and keeps the old document', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1'] }));
        await store.create(DOCS, 'b', doc('b', { handles: ['h2'] }));
        await rejectsWithCode(
          store.update<ContractDoc>(DOCS, 'b', (d) => ({ ...d, handles: ['h2', 'h1'] })),
          'ERR_CONFLICT',
        );
        assert.deepEqual(await store.get(DOCS, 'b'), doc('b', { handles: ['h2'] }));
        assert.equal((await store.findOne(DOCS, 'handle', 'h1'))?.id, 'a');
      });

      it('a key is freed when its holder drops it, is deleted or is taken', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1', 'h2'] }));
        await store.put(DOCS, 'a', doc('a', { handles: ['h2'] }));
        await store.create(DOCS, 'b', doc('b', { handles: ['h1'] }));
        await store.delete(DOCS, 'a');
        await store.create(DOCS, 'c', doc('c', { handles: ['h2'] }));
        await store.take(DOCS, 'c');
        await store.create(DOCS, 'd', doc('d', { handles: ['h2'] }));
        assert.equal((await store.findOne(DOCS, 'handle', 'h1'))?.id, 'b');
        assert.equal((await store.findOne(DOCS, 'handle', 'h2'))?.id, 'd');
      });

      it('a key is freed at the instant its holder expires', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1'] }), { expiresAt: T0 + 1000 });
        clock.set(T0 + 999);
        await rejectsWithCode(store.create(DOCS, 'b', doc('b', { handles: ['h1'] })), 'ERR_CONFLICT');
        clock.set(T0 + 1000);
        await store.create(DOCS, 'b', doc('b', { handles: ['h1'] }));
        assert.deepEqual(await store.findOne(DOCS, 'handle', 'h1'), { id: 'b', value: doc('b', { handles: ['h1'] }) });
        assert.equal((await store.find(DOCS, 'handle', 'h1')).length, 1);
      });

      it('a key is freed when its holder is swept, deleted in a batch or replaced by a load of its expired id', async () => {
        await store.create(DOCS, 'a', doc('a', { handles: ['h1'], tags: ['t'] }), { expiresAt: T0 + 10 });
        await store.create(DOCS, 'x', doc('x', { handles: ['h3'] }), { expiresAt: T0 + 10 });
        clock.set(T0 + 10);
        assert.equal(await store.sweepExpired(), 2);
        await store.create(DOCS, 'b', doc('b', { handles: ['h1', 'h2'] }));
        await store.batch([{ op: 'delete', collection: DOCS, id: 'b' }]);
        await store.create(DOCS, 'c', doc('c', { handles: ['h1', 'h2'] }));
        await store.create(DOCS, 'y', doc('y', { handles: ['h4'] }), { expiresAt: T0 + 20 });
        clock.set(T0 + 20);
        await store.load(DOCS, [{ id: 'y', value: doc('y', { handles: ['h5'] }) }]);
        await store.create(DOCS, 'z', doc('z', { handles: ['h3', 'h4'] }));
        assert.deepEqual(await store.find(DOCS, 'tag', 't'), []);
        assert.equal((await store.findOne(DOCS, 'handle', 'h2'))?.id, 'c');
        assert.equal((await store.findOne(DOCS, 'handle', 'h4'))?.id, 'z');
        assert.equal((await store.findOne(DOCS, 'handle', 'h5'))?.id, 'y');
      });

      it('parallel creates of one key: exactly one wins', async () => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create(DOCS, `p${i}`, doc(`p${i}`, { handles: ['shared'] }))));
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) {
          if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ERR_CONFLICT');
        }
        assert.equal(await store.count(DOCS), 1);
      });
    });

    describe('expiry', () => {
      it('a document is present at expiresAt − 1 and absent from expiresAt on (start-inclusive)', async () => {
        const expiresAt = T0 + 60_000;
        await store.create(DOCS, 'a', doc('a', { tags: ['t'], handles: ['h'] }), { expiresAt });
        clock.set(expiresAt - 1);
        assert.ok(await store.get(DOCS, 'a'));
        assert.equal((await store.find(DOCS, 'tag', 't')).length, 1);
        assert.equal((await store.findOne(DOCS, 'handle', 'h'))?.id, 'a');
        assert.deepEqual(ids(await store.list(DOCS)), ['a']);
        assert.equal(await store.count(DOCS), 1);
        clock.set(expiresAt);
        assert.equal(await store.get(DOCS, 'a'), undefined);
        assert.deepEqual(await store.find(DOCS, 'tag', 't'), []);
        assert.equal(await store.findOne(DOCS, 'handle', 'h'), undefined);
        assert.deepEqual(await store.list(DOCS), []);
        assert.equal(await store.count(DOCS), 0);
      });

      it('an expired document cannot be updated or taken, and its id can be created again', async () => {
        await store.create(TOKENS, 't', { owner: 'o', n: 1 }, { expiresAt: T0 + 5 });
        clock.set(T0 + 5);
        await rejectsWithCode(
          store.update<ContractToken>(TOKENS, 't', (t) => t),
          'ERR_NOT_FOUND',
        );
        assert.equal(await store.take(TOKENS, 't'), undefined);
        assert.equal(await store.delete(TOKENS, 't'), false);
        await store.create(TOKENS, 't', { owner: 'o', n: 2 });
        assert.deepEqual(await store.get(TOKENS, 't'), { owner: 'o', n: 2 });
      });

      it('put without expiresAt makes a document permanent; put with one sets it', async () => {
        await store.put(TOKENS, 't', { owner: 'o', n: 1 }, { expiresAt: T0 + 5 });
        await store.put(TOKENS, 't', { owner: 'o', n: 2 });
        await store.put(TOKENS, 'u', { owner: 'o', n: 1 });
        await store.put(TOKENS, 'u', { owner: 'o', n: 2 }, { expiresAt: T0 + 5 });
        clock.set(T0 + 5);
        assert.deepEqual(await store.get(TOKENS, 't'), { owner: 'o', n: 2 });
        assert.equal(await store.get(TOKENS, 'u'), undefined);
      });

      it('update keeps the expiry unless it is given one', async () => {
        await store.create(TOKENS, 'keep', { owner: 'o', n: 1 }, { expiresAt: T0 + 100 });
        await store.create(TOKENS, 'move', { owner: 'o', n: 1 }, { expiresAt: T0 + 100 });
        await store.create(TOKENS, 'forever', { owner: 'o', n: 1 });
        await store.update<ContractToken>(TOKENS, 'keep', (t) => ({ ...t, n: 2 }));
        await store.update<ContractToken>(TOKENS, 'move', (t) => ({ ...t, n: 2 }), { expiresAt: T0 + 200 });
        await store.update<ContractToken>(TOKENS, 'forever', (t) => ({ ...t, n: 2 }));
        clock.set(T0 + 100);
        assert.equal(await store.get(TOKENS, 'keep'), undefined);
        assert.deepEqual(await store.get(TOKENS, 'move'), { owner: 'o', n: 2 });
        clock.set(T0 + 200);
        assert.equal(await store.get(TOKENS, 'move'), undefined);
        assert.deepEqual(await store.get(TOKENS, 'forever'), { owner: 'o', n: 2 });
      });

      it('sweepExpired finds what expires after expiries came and went by put, delete and a rolled-back batch', async () => {
        await store.create(DOCS, 'made-permanent', doc('made-permanent'), { expiresAt: T0 + 10 });
        await store.put(DOCS, 'made-permanent', doc('made-permanent'));
        await store.create(DOCS, 'deleted', doc('deleted'), { expiresAt: T0 + 10 });
        await store.delete(DOCS, 'deleted');
        await store.create(DOCS, 'stays-expiring', doc('stays-expiring', { handles: ['h'] }), { expiresAt: T0 + 10 });
        await store.create(DOCS, 'holder', doc('holder', { handles: ['taken'] }));
        await rejectsWithCode(
          store.batch([
            { op: 'put', collection: DOCS, id: 'stays-expiring', value: doc('stays-expiring') },
            { op: 'put', collection: DOCS, id: 'other', value: doc('other', { handles: ['taken'] }) },
          ]),
          'ERR_CONFLICT',
        );
        clock.set(T0 + 10);
        assert.equal(await store.sweepExpired(), 1, 'the rolled-back batch left its expiry in place');
        assert.equal(await store.get(DOCS, 'stays-expiring'), undefined);
        assert.deepEqual(await store.get(DOCS, 'made-permanent'), doc('made-permanent'));
        await store.create(DOCS, 'later', doc('later'), { expiresAt: T0 + 20 });
        clock.set(T0 + 20);
        assert.equal(await store.sweepExpired(), 1);
        assert.equal(await store.count(DOCS), 2);
      });

      it('sweepExpired forgets expired documents and counts them', async () => {
        await store.create(TOKENS, 'e1', { owner: 'o', n: 1 }, { expiresAt: T0 + 10 });
        await store.create(TOKENS, 'e2', { owner: 'o', n: 2 }, { expiresAt: T0 + 20 });
        await store.create(DOCS, 'e3', doc('e3'), { expiresAt: T0 + 10 });
        await store.create(TOKENS, 'live', { owner: 'o', n: 3 }, { expiresAt: T0 + 30 });
        await store.create(DOCS, 'forever', doc('forever'));
        assert.equal(await store.sweepExpired(), 0);
        clock.set(T0 + 20);
        assert.equal(await store.sweepExpired(), 3);
        assert.equal(await store.sweepExpired(), 0);
        assert.deepEqual(await store.get(TOKENS, 'live'), { owner: 'o', n: 3 });
        assert.deepEqual(await store.get(DOCS, 'forever'), doc('forever'));
        assert.deepEqual(
          (await store.find<ContractToken>(TOKENS, 'owner', 'o')).map((t) => t.n),
          [3],
        );
      });
    });

    describe('batch', () => {
      it('applies every op', async () => {
        await store.create(DOCS, 'gone', doc('gone'));
        await store.batch([
          { op: 'create', collection: DOCS, id: 'a', value: doc('a', { handles: ['h1'] }) },
          { op: 'put', collection: EVENTS, id: 'e', value: { kind: 'x' } },
          { op: 'delete', collection: DOCS, id: 'gone' },
          { op: 'put', collection: DOCS, id: 'b', value: doc('b'), options: { expiresAt: T0 + 10 } },
        ]);
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a', { handles: ['h1'] }));
        assert.deepEqual(await store.get(EVENTS, 'e'), { kind: 'x' });
        assert.equal(await store.get(DOCS, 'gone'), undefined);
        assert.deepEqual(await store.get(DOCS, 'b'), doc('b'));
        clock.set(T0 + 10);
        assert.equal(await store.get(DOCS, 'b'), undefined);
      });

      it('a conflicting op in the middle leaves the earlier ops unapplied', async () => {
        await store.create(DOCS, 'holder', doc('holder', { handles: ['taken'] }));
        await store.create(DOCS, 'old', doc('old', { handles: ['mine'] }));
        await rejectsWithCode(
          store.batch([
            { op: 'put', collection: DOCS, id: 'old', value: doc('changed', { handles: ['other'] }) },
            { op: 'create', collection: DOCS, id: 'new1', value: doc('new1', { handles: ['mine'] }) },
            { op: 'delete', collection: DOCS, id: 'holder' },
            { op: 'put', collection: EVENTS, id: 'e', value: { kind: 'x' } },
            { op: 'create', collection: DOCS, id: 'new2', value: doc('new2', { handles: ['new-key', 'taken2'] }) },
            { op: 'create', collection: DOCS, id: 'new3', value: doc('new3', { handles: ['new-key'] }) },
            { op: 'put', collection: EVENTS, id: 'after', value: { kind: 'y' } },
          ]),
          'ERR_CONFLICT',
        );
        assert.deepEqual(await store.get(DOCS, 'old'), doc('old', { handles: ['mine'] }));
        assert.deepEqual(await store.get(DOCS, 'holder'), doc('holder', { handles: ['taken'] }));
        for (const id of ['new1', 'new2', 'new3']) assert.equal(await store.get(DOCS, id), undefined, id);
        assert.equal(await store.get(EVENTS, 'e'), undefined);
        assert.equal(await store.get(EVENTS, 'after'), undefined);
        assert.equal((await store.findOne(DOCS, 'handle', 'mine'))?.id, 'old');
        assert.equal((await store.findOne(DOCS, 'handle', 'taken'))?.id, 'holder');
        assert.equal(await store.findOne(DOCS, 'handle', 'other'), undefined);
        assert.equal(await store.findOne(DOCS, 'handle', 'new-key'), undefined);
        assert.equal(await store.count(DOCS), 2);
        assert.equal(await store.count(EVENTS), 0);
      });

      it('a create of a live id in the middle fails with ERR_ALREADY_EXISTS and applies nothing', async () => {
        await store.create(DOCS, 'a', doc('a'));
        await rejectsWithCode(
          store.batch([
            { op: 'put', collection: DOCS, id: 'b', value: doc('b') },
            { op: 'delete', collection: DOCS, id: 'a' },
            { op: 'create', collection: DOCS, id: 'b', value: doc('b again') },
          ]),
          'ERR_ALREADY_EXISTS',
        );
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a'));
        assert.equal(await store.get(DOCS, 'b'), undefined);
      });

      it('a batch across collection groups is refused and applies nothing', async () => {
        await assert.rejects(
          store.batch([
            { op: 'put', collection: DOCS, id: 'a', value: doc('a') },
            { op: 'put', collection: TOKENS, id: 't', value: { owner: 'o', n: 1 } },
          ]),
        );
        assert.equal(await store.get(DOCS, 'a'), undefined);
        assert.equal(await store.get(TOKENS, 't'), undefined);
      });

      it('an update op reads the current document, and a later value thunk sees what it changed', async () => {
        await store.create(DOCS, 'u', doc('before', { handles: ['h-u'] }));
        let seen: string | undefined;
        await store.batch([
          {
            op: 'update',
            collection: DOCS,
            id: 'u',
            fn: (current: ContractDoc) => {
              seen = current.title;
              return { ...current, title: 'after' };
            },
          },
          { op: 'create', collection: EVENTS, id: 'log', value: () => ({ kind: `changed ${seen}` }) },
        ]);
        assert.equal(((await store.get(DOCS, 'u')) as ContractDoc).title, 'after');
        assert.deepEqual(await store.get(EVENTS, 'log'), { kind: 'changed before' });
      });

      it('an update op of a missing document fails with ERR_NOT_FOUND and applies nothing', async () => {
        await rejectsWithCode(
          store.batch([
            { op: 'put', collection: EVENTS, id: 'first', value: { kind: 'x' } },
            { op: 'update', collection: DOCS, id: 'missing', fn: (d: ContractDoc) => d },
          ]),
          'ERR_NOT_FOUND',
        );
        assert.equal(await store.get(EVENTS, 'first'), undefined);
      });

      it('an update op whose fn throws applies nothing', async () => {
        await store.create(DOCS, 'keep', doc('keep'));
        await assert.rejects(
          store.batch([
            { op: 'put', collection: EVENTS, id: 'first', value: { kind: 'x' } },
            {
              op: 'update',
              collection: DOCS,
              id: 'keep',
              fn: () => {
                throw new Error('refused');
              },
            },
          ]),
          /refused/,
        );
        assert.equal(await store.get(EVENTS, 'first'), undefined);
        assert.deepEqual(await store.get(DOCS, 'keep'), doc('keep'));
      });

      it('an empty batch does nothing', async () => {
        await store.batch([]);
        assert.equal(await store.count(DOCS), 0);
      });
    });

    describe('concurrency', () => {
      it('50 parallel takes of one document: exactly one gets it', async () => {
        await store.create(TOKENS, 'code', { owner: 'o', n: 7 });
        const results = await Promise.all(Array.from({ length: 50 }, () => store.take<ContractToken>(TOKENS, 'code')));
        const got = results.filter((r) => r !== undefined);
        assert.deepEqual(got, [{ owner: 'o', n: 7 }]);
        assert.equal(await store.get(TOKENS, 'code'), undefined);
      });

      it('50 parallel updates incrementing a counter: no lost write', async () => {
        await store.create(DOCS, 'counter', doc('counter'));
        const results = await Promise.all(Array.from({ length: 50 }, () => store.update<ContractDoc>(DOCS, 'counter', (d) => ({ ...d, n: d.n + 1 }))));
        assert.deepEqual(
          results.map((r) => r.n).sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        assert.equal((await store.get<ContractDoc>(DOCS, 'counter'))?.n, 50);
      });

      it('parallel creates of one id: exactly one wins', async () => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create(DOCS, 'one', doc(`c${i}`))));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) {
          if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ERR_ALREADY_EXISTS');
        }
      });
    });

    describe('upsertMany (batched read-modify-write)', () => {
      const bump = (title: string) => (c: ContractDoc | undefined) => (c ? { ...c, n: c.n + 1 } : doc(title, { n: 1 }));

      it('creates the absent, updates the live, treats the expired as absent, and leaves a document alone when fn answers undefined', async () => {
        await store.create(DOCS, 'live', doc('live', { n: 5 }), { expiresAt: T0 + 5000 });
        await store.create(DOCS, 'expired', doc('old', { n: 40 }), { expiresAt: T0 + 10 });
        await store.create(DOCS, 'kept', doc('kept', { n: 7 }));
        clock.set(T0 + 10);
        const seen: Record<string, ContractDoc | undefined> = {};
        const seeing =
          (id: string, fn: (c: ContractDoc | undefined) => ContractDoc | undefined) =>
          (c: ContractDoc | undefined): ContractDoc | undefined => {
            seen[id] = c;
            return fn(c);
          };
        await store.upsertMany<ContractDoc>(DOCS, [
          { id: 'new', fn: seeing('new', bump('new')) },
          { id: 'live', fn: seeing('live', bump('live')) },
          { id: 'expired', fn: seeing('expired', bump('fresh')), options: { expiresAt: T0 + 100 } },
          { id: 'kept', fn: seeing('kept', () => undefined) },
          { id: 'still-absent', fn: seeing('still-absent', () => undefined) },
        ]);
        assert.deepEqual(seen, { new: undefined, live: doc('live', { n: 5 }), expired: undefined, kept: doc('kept', { n: 7 }), 'still-absent': undefined });
        assert.deepEqual(await store.get(DOCS, 'new'), doc('new', { n: 1 }));
        assert.deepEqual(await store.get(DOCS, 'live'), doc('live', { n: 6 }));
        assert.deepEqual(await store.get(DOCS, 'expired'), doc('fresh', { n: 1 }), 'an expired document is replaced as if absent');
        assert.deepEqual(await store.get(DOCS, 'kept'), doc('kept', { n: 7 }));
        assert.equal(await store.get(DOCS, 'still-absent'), undefined);
        assert.equal(await store.count(DOCS), 4);
        clock.set(T0 + 4999);
        assert.ok(await store.get(DOCS, 'live'), 'an update without expiresAt keeps the expiry');
        assert.ok(await store.get(DOCS, 'new'), 'a create without expiresAt never expires');
        assert.equal(await store.get(DOCS, 'expired'), undefined, 'a given expiresAt is set');
        clock.set(T0 + 5000);
        assert.equal(await store.get(DOCS, 'live'), undefined);
      });

      it('keeps the index keys of every document it writes', async () => {
        await store.create(DOCS, 'a', doc('a', { tags: ['red'], handles: ['ha'] }));
        await store.upsertMany<ContractDoc>(DOCS, [
          { id: 'a', fn: (c) => ({ ...c!, tags: ['blue'], handles: ['ha2'] }) },
          { id: 'b', fn: () => doc('b', { tags: ['blue', 'green'], handles: ['hb'] }) },
        ]);
        assert.deepEqual(ids(await store.list(DOCS, { index: { name: 'tag', key: 'blue' } })), ['a', 'b']);
        assert.deepEqual(await store.find(DOCS, 'tag', 'red'), []);
        assert.equal(await store.findOne(DOCS, 'handle', 'ha'), undefined);
        assert.equal((await store.findOne(DOCS, 'handle', 'ha2'))?.id, 'a');
        assert.equal((await store.findOne(DOCS, 'handle', 'hb'))?.id, 'b');
        await store.create(DOCS, 'c', doc('c', { handles: ['ha'] })); // the dropped key is free
      });

      it('is all or none: a taken unique key (ERR_CONFLICT) or a throwing fn changes nothing', async () => {
        await store.create(DOCS, 'holder', doc('holder', { handles: ['taken'] }));
        await store.create(DOCS, 'a', doc('a', { n: 1 }));
        await rejectsWithCode(
          store.upsertMany<ContractDoc>(DOCS, [
            { id: 'a', fn: bump('a') },
            { id: 'new', fn: bump('new') },
            { id: 'z', fn: () => doc('z', { handles: ['taken'] }) },
          ]),
          'ERR_CONFLICT',
        );
        const boom = new Error('boom');
        await assert.rejects(
          store.upsertMany<ContractDoc>(DOCS, [
            { id: 'a', fn: bump('a') },
            {
              id: 'b',
              fn: () => {
                throw boom;
              },
            },
          ]),
          (err) => err === boom,
        );
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a', { n: 1 }));
        assert.equal(await store.get(DOCS, 'new'), undefined);
        assert.equal(await store.count(DOCS), 2);
      });

      it('refuses the same id twice or an unknown collection, writing nothing; an empty list does nothing', async () => {
        await assert.rejects(
          store.upsertMany<ContractDoc>(DOCS, [
            { id: 'a', fn: bump('a') },
            { id: 'a', fn: bump('a') },
          ]),
          TypeError,
        );
        await assert.rejects(store.upsertMany('contract_nope', [{ id: 'a', fn: () => ({}) }]));
        await store.upsertMany(DOCS, []);
        assert.equal(await store.count(DOCS), 0);
      });

      it('writes many more documents than one statement takes (1,200), and updates them all again', async () => {
        const all = Array.from({ length: 1200 }, (_, i) => `d${String(i).padStart(4, '0')}`);
        await store.upsertMany<ContractToken>(
          TOKENS,
          all.map((id) => ({ id, fn: (c) => ({ owner: 'o', n: (c?.n ?? 0) + 1 }) })),
        );
        await store.upsertMany<ContractToken>(
          TOKENS,
          all.map((id) => ({ id, fn: (c) => ({ owner: 'o', n: (c?.n ?? 0) + 1 }) })),
        );
        assert.equal(await store.count(TOKENS), 1200);
        const found = await store.find<ContractToken>(TOKENS, 'owner', 'o');
        assert.equal(found.length, 1200);
        assert.ok(found.every((t) => t.n === 2));
      });

      it('parallel callers on overlapping ids, absent and present: no lost update', async () => {
        const pool = Array.from({ length: 12 }, (_, i) => `c${i}`);
        await store.create(DOCS, 'c0', doc('c0'));
        // Caller k bumps ids c(k) … c(k+5), listed in a different order each time.
        const callers = Array.from({ length: 10 }, (_, k) => {
          const mine = pool.slice(k % 7, (k % 7) + 6);
          if (k % 2) mine.reverse();
          return mine;
        });
        await Promise.all(
          callers.map((mine) =>
            store.upsertMany<ContractDoc>(
              DOCS,
              mine.map((id) => ({ id, fn: bump(id) })),
            ),
          ),
        );
        for (const id of pool) {
          const expected = callers.filter((mine) => mine.includes(id)).length;
          const got = (await store.get<ContractDoc>(DOCS, id))?.n ?? 0;
          assert.equal(got, expected, id);
        }
      });

      it('tells watchers, and keeps the shop-usage tally right', async () => {
        const heard: (string | undefined)[] = [];
        const stop = store.watch(DOCS, (id) => heard.push(id));
        await store.upsertMany<ContractDoc>(DOCS, [
          { id: 'w1', fn: bump('w1') },
          { id: 'w2', fn: bump('w2') },
        ]);
        const deadline = Date.now() + 3000;
        while (!(heard.includes('w1') && heard.includes('w2')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        stop();
        assert.ok(heard.includes('w1') && heard.includes('w2'), JSON.stringify(heard));

        const DAY = 86_400_000;
        const summary = (lastAt: number, ways: Record<string, number>): UsageSummary => ({
          partner: 'p',
          account: 'x',
          lastAt,
          methods: { weibo: { days: [[Math.floor(lastAt / DAY), 1]] } },
          ways,
        });
        const query = {
          partner: 'p',
          method: 'weibo',
          ways: ['qq'],
          activeFrom: T0 - 10 * DAY,
          activeTo: T0,
          countFromDay: Math.floor((T0 - 5 * DAY) / DAY),
          cuts: [T0],
        };
        await store.upsertMany<UsageSummary>(USAGE_COLLECTION, [
          { id: 'p:x', fn: () => summary(T0 - DAY, {}) },
          { id: 'p:y', fn: () => summary(T0 - DAY, {}) },
        ]);
        assert.deepEqual(
          (await store.tallyUsage(query)).classes.map((c) => [c.count, c.held]),
          [[2, []]],
        );
        await store.upsertMany<UsageSummary>(USAGE_COLLECTION, [{ id: 'p:y', fn: (u) => ({ ...u!, ways: { qq: T0 - 20 * DAY } }) }]);
        const classes = (await store.tallyUsage(query)).classes.map((c) => [c.count, c.held]).sort();
        assert.deepEqual(classes, [
          [1, []],
          [1, ['qq']],
        ]);
      });
    });

    describe('capped lists (addToList, addToLists, removeFromList)', () => {
      const LIST = EVENTS;
      const entry = (key: string, inMs = 60_000) => ({ key, expiresAt: T0 + inMs });
      const keysOf = async (id: string) => ((await store.get<{ entries: { key: string }[] }>(LIST, id))?.entries ?? []).map((e) => e.key);

      it('adds entries oldest first, creating the list; refuses past the cap when asked to', async () => {
        for (const k of ['a', 'b', 'c'])
          assert.deepEqual(await store.addToList(LIST, 'l', entry(k), { cap: 3, whenFull: 'refuse' }), { added: true, dropped: [] });
        assert.deepEqual(await store.addToList(LIST, 'l', entry('d'), { cap: 3, whenFull: 'refuse' }), { added: false });
        assert.deepEqual(await keysOf('l'), ['a', 'b', 'c']);
      });

      it('drops the oldest past the cap when asked to, and says which', async () => {
        for (const k of ['a', 'b']) await store.addToList(LIST, 'l', entry(k), { cap: 2, whenFull: 'dropOldest' });
        assert.deepEqual(await store.addToList(LIST, 'l', entry('c', 90_000), { cap: 2, whenFull: 'dropOldest' }), {
          added: true,
          dropped: [entry('a')],
        });
        assert.deepEqual(await store.addToList(LIST, 'l', entry('d'), { cap: 1, whenFull: 'dropOldest' }), {
          added: true,
          dropped: [entry('b'), entry('c', 90_000)],
        });
        assert.deepEqual(await keysOf('l'), ['d']);
      });

      it('expired entries do not count; the list expires with its latest entry', async () => {
        await store.addToList(LIST, 'l', entry('short', 1_000), { cap: 2, whenFull: 'refuse' });
        await store.addToList(LIST, 'l', entry('long', 5_000), { cap: 2, whenFull: 'refuse' });
        assert.deepEqual(await store.addToList(LIST, 'l', entry('x', 9_000), { cap: 2, whenFull: 'refuse' }), { added: false });
        clock.advance(1_000);
        assert.deepEqual(await store.addToList(LIST, 'l', entry('x', 9_000), { cap: 2, whenFull: 'refuse' }), { added: true, dropped: [] });
        assert.deepEqual(await keysOf('l'), ['long', 'x']);
        clock.advance(8_000);
        assert.equal(await store.get(LIST, 'l'), undefined, 'gone when its latest entry expired');
        assert.deepEqual(await store.addToList(LIST, 'l', entry('y', 10_000), { cap: 1, whenFull: 'refuse' }), { added: true, dropped: [] });
        assert.deepEqual(await keysOf('l'), ['y']);
      });

      it('removeFromList takes one key out of several lists, skipping absent lists and keys', async () => {
        await store.addToList(LIST, 'l1', entry('a'), { cap: 5, whenFull: 'refuse' });
        await store.addToList(LIST, 'l1', entry('b'), { cap: 5, whenFull: 'refuse' });
        await store.addToList(LIST, 'l2', entry('a'), { cap: 5, whenFull: 'refuse' });
        await store.removeFromList(LIST, ['l1', 'l2', 'missing'], 'a');
        await store.removeFromList(LIST, ['l1'], 'not-there');
        await store.removeFromList(LIST, [], 'b');
        assert.deepEqual(await keysOf('l1'), ['b']);
        assert.deepEqual(await keysOf('l2'), []);
        assert.equal(await store.get(LIST, 'missing'), undefined, 'removing creates nothing');
      });

      it('removeFromList takes the key out of many lists at once, each named once or twice', async () => {
        const ids = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
        for (const id of ids) await store.addToList(LIST, id, entry('a'), { cap: 5, whenFull: 'refuse' });
        await store.addToList(LIST, 'm6', entry('b'), { cap: 5, whenFull: 'refuse' });
        await store.removeFromList(LIST, [...ids, 'm1', 'missing'], 'a');
        for (const id of ids) assert.deepEqual(await keysOf(id), id === 'm6' ? ['b'] : [], id);
      });

      it('addToLists adds to several lists in one step, in order, none after a refusal', async () => {
        await store.addToList(LIST, 'full', entry('a'), { cap: 1, whenFull: 'refuse' });
        await store.addToList(LIST, 'old', entry('o'), { cap: 1, whenFull: 'refuse' });
        assert.deepEqual(
          await store.addToLists(LIST, [
            { id: 'fresh', entry: entry('n'), options: { cap: 2, whenFull: 'refuse' } },
            { id: 'old', entry: entry('n', 90_000), options: { cap: 1, whenFull: 'dropOldest' } },
          ]),
          [
            { added: true, dropped: [] },
            { added: true, dropped: [entry('o')] },
          ],
        );
        assert.deepEqual(await keysOf('fresh'), ['n']);
        assert.deepEqual(await keysOf('old'), ['n']);
        assert.deepEqual(
          await store.addToLists(LIST, [
            { id: 'fresh', entry: entry('m'), options: { cap: 5, whenFull: 'refuse' } },
            { id: 'full', entry: entry('m'), options: { cap: 1, whenFull: 'refuse' } },
            { id: 'old', entry: entry('m'), options: { cap: 1, whenFull: 'dropOldest' } },
            { id: 'later', entry: entry('m'), options: { cap: 1, whenFull: 'dropOldest' } },
          ]),
          [{ added: true, dropped: [] }, { added: false }, { added: false }, { added: false }],
        );
        assert.deepEqual(await keysOf('fresh'), ['n', 'm'], 'the list before the refusal is added to');
        assert.deepEqual(await keysOf('full'), ['a']);
        assert.deepEqual(await keysOf('old'), ['n'], 'the lists after the refusal are left as they were');
        assert.equal(await store.get(LIST, 'later'), undefined, 'and none is created');
        clock.advance(60_000);
        assert.equal(await store.get(LIST, 'fresh'), undefined, 'each list expires with its latest entry');
        assert.deepEqual(await keysOf('old'), ['n']);
        assert.deepEqual(await store.addToLists(LIST, []), []);
      });

      it('addToLists: 20 parallel callers each adding to a list capped at 5 and their own: exactly 5 get both', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.addToLists(LIST, [
              { id: 'shared', entry: entry(`k${i}`), options: { cap: 5, whenFull: 'refuse' } },
              { id: `own${i}`, entry: entry(`k${i}`), options: { cap: 1, whenFull: 'dropOldest' } },
            ]),
          ),
        );
        const admitted = results.filter(([first]) => first!.added);
        assert.equal(admitted.length, 5);
        assert.ok(admitted.every(([, second]) => second!.added));
        assert.equal((await keysOf('shared')).length, 5);
        const owned = await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(LIST, `own${i}`)));
        assert.equal(owned.filter((d) => d !== undefined).length, 5, 'a refused caller adds to no list after');
      });

      it('30 parallel adders to a list capped at 5: exactly 5 are added', async () => {
        const results = await Promise.all(Array.from({ length: 30 }, (_, i) => store.addToList(LIST, 'hot', entry(`k${i}`), { cap: 5, whenFull: 'refuse' })));
        assert.equal(results.filter((r) => r.added).length, 5);
        assert.equal((await keysOf('hot')).length, 5);
      });

      it('refuses bad arguments and indexed collections, writing nothing', async () => {
        await assert.rejects(store.addToList(LIST, 'l', { key: '', expiresAt: T0 + 1 }, { cap: 1, whenFull: 'refuse' }), TypeError);
        await assert.rejects(store.addToList(LIST, 'l', { key: 'a', expiresAt: Number.NaN }, { cap: 1, whenFull: 'refuse' }), TypeError);
        await assert.rejects(store.addToList(LIST, 'l', entry('a'), { cap: 0, whenFull: 'refuse' }), TypeError);
        await assert.rejects(store.addToList(DOCS, 'l', entry('a'), { cap: 1, whenFull: 'refuse' }), TypeError);
        await assert.rejects(store.removeFromList(DOCS, ['l'], 'a'), TypeError);
        const once = { entry: entry('a'), options: { cap: 1, whenFull: 'refuse' as const } };
        await assert.rejects(
          store.addToLists(LIST, [
            { id: 'l', ...once },
            { id: 'l', ...once },
          ]),
          TypeError,
          'a list twice',
        );
        await assert.rejects(
          store.addToLists(LIST, [
            { id: 'l', ...once },
            { id: '', ...once },
          ]),
          TypeError,
        );
        await assert.rejects(
          store.addToLists(LIST, [
            { id: 'l', ...once },
            { id: 'm', entry: entry(''), options: once.options },
          ]),
          TypeError,
        );
        await assert.rejects(store.addToLists(DOCS, [{ id: 'l', ...once }]), TypeError);
        assert.equal(await store.get(LIST, 'm'), undefined);
        assert.equal(await store.get(LIST, 'l'), undefined);
      });
    });

    describe('list', () => {
      async function seed(): Promise<void> {
        for (const i of [3, 1, 5, 2, 4]) {
          await store.create(DOCS, `e${i}`, doc(`e${i}`, { n: i, tags: [i % 2 === 0 ? 'even' : 'odd'] }));
        }
      }

      it('orders by id ascending by default and descending on request', async () => {
        await seed();
        assert.deepEqual(ids(await store.list(DOCS)), ['e1', 'e2', 'e3', 'e4', 'e5']);
        assert.deepEqual(ids(await store.list(DOCS, { order: 'asc' })), ['e1', 'e2', 'e3', 'e4', 'e5']);
        assert.deepEqual(ids(await store.list(DOCS, { order: 'desc' })), ['e5', 'e4', 'e3', 'e2', 'e1']);
        const rows = await store.list<ContractDoc>(DOCS, { limit: 1 });
        assert.deepEqual(rows, [{ id: 'e1', value: doc('e1', { n: 1, tags: ['odd'] }) }]);
      });

      it('after and limit page through in both directions', async () => {
        await seed();
        assert.deepEqual(ids(await store.list(DOCS, { after: 'e2' })), ['e3', 'e4', 'e5']);
        assert.deepEqual(ids(await store.list(DOCS, { after: 'e4', order: 'desc' })), ['e3', 'e2', 'e1']);
        assert.deepEqual(ids(await store.list(DOCS, { after: 'e2', limit: 2 })), ['e3', 'e4']);
        assert.deepEqual(ids(await store.list(DOCS, { after: 'e5' })), []);
        assert.deepEqual(ids(await store.list(DOCS, { after: 'e0' })), ['e1', 'e2', 'e3', 'e4', 'e5']);
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.list(DOCS, { order: 'desc', limit: 2, ...(after === undefined ? {} : { after }) });
          if (page.length === 0) break;
          pages.push(ids(page));
          after = page[page.length - 1]!.id;
        }
        assert.deepEqual(pages, [['e5', 'e4'], ['e3', 'e2'], ['e1']]);
      });

      it('lists one index key only when asked', async () => {
        await seed();
        assert.deepEqual(ids(await store.list(DOCS, { index: { name: 'tag', key: 'odd' } })), ['e1', 'e3', 'e5']);
        assert.deepEqual(ids(await store.list(DOCS, { index: { name: 'tag', key: 'odd' }, order: 'desc', after: 'e5', limit: 1 })), ['e3']);
        assert.deepEqual(await store.list(DOCS, { index: { name: 'tag', key: 'none' } }), []);
      });

      it('skips expired documents, also when a limit applies', async () => {
        await store.create(DOCS, 'a1', doc('a1'));
        await store.create(DOCS, 'a2', doc('a2'), { expiresAt: T0 + 10 });
        await store.create(DOCS, 'a3', doc('a3'), { expiresAt: T0 + 10 });
        await store.create(DOCS, 'a4', doc('a4'));
        clock.set(T0 + 10);
        assert.deepEqual(ids(await store.list(DOCS, { after: 'a1', limit: 1 })), ['a4']);
        assert.deepEqual(ids(await store.list(DOCS)), ['a1', 'a4']);
      });
    });

    describe('returned and given documents are copies', () => {
      it('changing a value after writing it does not change the store', async () => {
        const value = doc('a', { handles: ['h1'], nested: { list: [1] } });
        await store.create(DOCS, 'a', value);
        value.title = 'changed';
        value.handles!.push('h2');
        value.nested!.list.push(2);
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a', { handles: ['h1'], nested: { list: [1] } }));
        assert.equal(await store.findOne(DOCS, 'handle', 'h2'), undefined);
      });

      it('mutating what a read returns does not change the store', async () => {
        await store.create(DOCS, 'a', doc('a', { tags: ['t'], nested: { list: [1] } }));
        const expected = doc('a', { tags: ['t'], nested: { list: [1] } });
        const attempts: ((d: ContractDoc) => void)[] = [
          (d) => {
            d.title = 'changed';
          },
          (d) => {
            d.nested!.list.push(2);
          },
          (d) => {
            d.tags!.length = 0;
          },
        ];
        const reads: (() => Promise<ContractDoc | undefined>)[] = [
          () => store.get<ContractDoc>(DOCS, 'a'),
          async () => (await store.find<ContractDoc>(DOCS, 'tag', 't'))[0],
          async () => (await store.list<ContractDoc>(DOCS))[0]?.value,
          () => store.update<ContractDoc>(DOCS, 'a', (d) => ({ ...d })),
        ];
        for (const read of reads) {
          for (const mutate of attempts) {
            const value = await read();
            assert.ok(value);
            try {
              mutate(value); // a backend may hand out frozen documents: then this throws, which is fine
            } catch {
              // frozen
            }
            assert.deepEqual(await store.get(DOCS, 'a'), expected);
          }
        }
        assert.equal((await store.find(DOCS, 'tag', 't')).length, 1);
      });

      it('mutating the document update passes to fn does not leak when fn throws', async () => {
        await store.create(DOCS, 'a', doc('a', { n: 1 }));
        await assert.rejects(
          store.update<ContractDoc>(DOCS, 'a', (d) => {
            try {
              d.n = 99;
            } catch {
              // frozen
            }
            throw new Error('abort');
          }),
        );
        assert.deepEqual(await store.get(DOCS, 'a'), doc('a', { n: 1 }));
      });
    });

    describe('load and dump', () => {
      it('load inserts every document with its expiry and index keys; dump lists them in id order, page by page', async () => {
        await store.load(DOCS, [
          { id: 'b', value: doc('b', { handles: ['hb'], tags: ['t'] }) },
          { id: 'a', value: doc('a', { tags: ['t'] }), expiresAt: T0 + 100 },
          { id: 'c', value: doc('c') },
        ]);
        assert.equal(await store.count(DOCS), 3);
        assert.equal((await store.findOne(DOCS, 'handle', 'hb'))?.id, 'b');
        assert.deepEqual((await store.find<ContractDoc>(DOCS, 'tag', 't')).map((d) => d.title).sort(), ['a', 'b']);
        assert.deepEqual(await store.dump(DOCS), [
          { id: 'a', value: doc('a', { tags: ['t'] }), expiresAt: T0 + 100 },
          { id: 'b', value: doc('b', { handles: ['hb'], tags: ['t'] }) },
          { id: 'c', value: doc('c') },
        ]);
        assert.deepEqual(ids(await store.dump(DOCS, { limit: 2 })), ['a', 'b']);
        assert.deepEqual(ids(await store.dump(DOCS, { after: 'b', limit: 2 })), ['c']);
        assert.deepEqual(await store.dump(DOCS, { after: 'c' }), []);
        clock.set(T0 + 100);
        assert.deepEqual(ids(await store.dump(DOCS)), ['b', 'c'], 'expired documents are not dumped');
        assert.deepEqual(await store.dump(EVENTS), []);
        await store.load(EVENTS, []);
        assert.equal(await store.count(EVENTS), 0);
      });

      it('load is all or none: a live id or a taken unique key refuses the whole load', async () => {
        await store.create(DOCS, 'live', doc('live', { handles: ['taken'] }));
        await store.create(DOCS, 'old', doc('old', { handles: ['h-old'] }), { expiresAt: T0 + 10 });
        await rejectsWithCode(
          store.load(DOCS, [
            { id: 'x1', value: doc('x1', { handles: ['hx1'] }) },
            { id: 'live', value: doc('again') },
          ]),
          'ERR_ALREADY_EXISTS',
        );
        await rejectsWithCode(
          store.load(DOCS, [
            { id: 'x1', value: doc('x1', { handles: ['hx1'] }) },
            { id: 'x2', value: doc('x2', { handles: ['taken'] }) },
          ]),
          'ERR_CONFLICT',
        );
        await rejectsWithCode(
          store.load(DOCS, [
            { id: 'x1', value: doc('x1') },
            { id: 'x1', value: doc('x1 again') },
          ]),
          'ERR_ALREADY_EXISTS',
        );
        assert.equal(await store.get(DOCS, 'x1'), undefined);
        assert.equal(await store.findOne(DOCS, 'handle', 'hx1'), undefined);
        assert.equal(await store.count(DOCS), 2);
        clock.set(T0 + 10);
        await store.load(DOCS, [
          { id: 'old', value: doc('new', { handles: ['h-new'] }) },
          { id: 'x3', value: doc('x3', { handles: ['h-old'] }) },
        ]);
        assert.deepEqual(await store.get(DOCS, 'old'), doc('new', { handles: ['h-new'] }), 'an expired document is replaced');
        assert.equal((await store.findOne(DOCS, 'handle', 'h-old'))?.id, 'x3', 'expired holders do not count');
      });

      it('dump sees documents created and deleted between pages (an export while the store is written)', async () => {
        await store.load(
          DOCS,
          ['e', 'a', 'c', 'g', 'b'].map((id) => ({ id, value: doc(id) })),
        );
        assert.deepEqual(ids(await store.dump(DOCS, { limit: 2 })), ['a', 'b']);
        await store.put(DOCS, 'd', doc('d'));
        await store.delete(DOCS, 'e');
        assert.deepEqual(ids(await store.dump(DOCS, { after: 'b', limit: 10 })), ['c', 'd', 'g']);
        await store.put(DOCS, 'f', doc('f'));
        assert.deepEqual(ids(await store.dump(DOCS, { after: 'd' })), ['f', 'g']);
      });
    });

    describe('cluster services', () => {
      it('exclusive runs a job unless a run of the same job is in progress, and frees it after success or failure', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const first = store.exclusive('contract-job', async () => {
          await gate;
          return 'done';
        });
        await new Promise((resolve) => setTimeout(resolve, 100)); // the first run holds the job now
        assert.deepEqual(await store.exclusive('contract-job', async () => 'second'), { ran: false });
        assert.deepEqual(await store.exclusive('contract-other-job', async () => 7), { ran: true, value: 7 });
        release();
        assert.deepEqual(await first, { ran: true, value: 'done' });
        await assert.rejects(
          store.exclusive('contract-job', async () => {
            throw new Error('job failed');
          }),
          /job failed/,
        );
        assert.deepEqual(await store.exclusive('contract-job', async () => 'again'), { ran: true, value: 'again' });
      });

      it('watch hears every write of a document of the collection until it stops listening', async () => {
        const heard: (string | undefined)[] = [];
        const stop = store.watch(DOCS, (id) => heard.push(id));
        const hear = async (id: string) => {
          for (let waited = 0; !heard.includes(id); waited += 20) {
            assert.ok(waited < 1000, `heard ${id} within a second (heard ${heard.join(', ')})`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        await store.create(DOCS, 'w1', doc('w1'));
        await hear('w1');
        await store.put(DOCS, 'w2', doc('w2'));
        await hear('w2');
        await store.update<ContractDoc>(DOCS, 'w1', (d) => ({ ...d, n: 1 }));
        await store.batch([{ op: 'put', collection: DOCS, id: 'w3', value: doc('w3') }]);
        await hear('w3');
        heard.length = 0;
        await store.delete(DOCS, 'w2');
        await hear('w2');
        stop();
        heard.length = 0;
        await store.put(DOCS, 'w4', doc('w4'));
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(heard, [], 'nothing after stop');
        assert.throws(() => store.watch('contract_nope', () => {}));
      });

      it('ready resolves on an open store; info names the backend', async () => {
        await store.ready();
        assert.ok(['embedded', 'postgres'].includes(store.info.backend));
        assert.equal(store.info.shared, store.info.backend === 'postgres');
        assert.equal(typeof store.info.location, 'string');
        assert.doesNotMatch(store.info.location, /:[^/@:]+@/, 'no password in the location');
      });

      it('a closed store refuses with ERR_STORE_UNAVAILABLE', async () => {
        await store.close();
        await rejectsWithCode(store.ready(), 'ERR_STORE_UNAVAILABLE');
        await rejectsWithCode(store.put(DOCS, 'a', doc('a')), 'ERR_STORE_UNAVAILABLE');
      });
    });

    describe("tallyUsage (the impact report's aggregate)", () => {
      const DAY = 86_400_000;
      const day = (at: number) => Math.floor(at / DAY);
      const usage = (partner: string, lastAt: number, methods: Record<string, [number, number][]>, ways?: Record<string, number>): UsageSummary => ({
        partner,
        account: `acct-${lastAt}`,
        lastAt,
        methods: Object.fromEntries(Object.entries(methods).map(([m, days]) => [m, { firstAt: lastAt, lastAt, days }])),
        ...(ways ? { ways } : {}),
      });
      const query = {
        partner: 'p',
        method: 'weibo',
        ways: ['qq', 'password'],
        activeFrom: T0 - 10 * DAY,
        activeTo: T0,
        countFromDay: day(T0 - 5 * DAY),
        cuts: [T0 - 3 * DAY, T0 - 2 * DAY, T0],
      };
      const sortedClasses = (classes: UsageClass[]) => [...classes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const weibo: [number, number][] = [
        [day(T0 - 6 * DAY), 2],
        [day(T0 - 4 * DAY), 3],
      ];

      it('groups the live, active summaries of the shop into classes, whichever way they were written', async () => {
        await store.create(USAGE_COLLECTION, 'p:a', usage('p', T0 - DAY, { weibo, qq: [] }, { weibo: T0 - 900 * DAY, qq: T0 - 2.5 * DAY }));
        await store.put(USAGE_COLLECTION, 'p:b', usage('p', T0 - 2 * DAY, { weibo: [[day(T0 - 4 * DAY), 1]], qq: [] }, { qq: T0 - 2.4 * DAY }));
        await store.load(USAGE_COLLECTION, [
          { id: 'p:c', value: usage('p', T0 - 3 * DAY, { weibo }, { password: T0 - 100 * DAY, qq: T0 - 50 * DAY }) },
          { id: 'p:d', value: usage('p', T0, { weibo }, { weibo: T0 - 900 * DAY }), expiresAt: T0 + DAY },
          { id: 'p:inactive', value: usage('p', T0 - 20 * DAY, { weibo }, {}) },
          { id: 'q:other-shop', value: usage('q', T0 - DAY, { weibo }, {}) },
          { id: 'p:expired', value: usage('p', T0 - DAY, { weibo }, {}), expiresAt: T0 },
        ]);
        await store.batch([
          { op: 'put', collection: USAGE_COLLECTION, id: 'p:e', value: usage('p', T0 - DAY, { qq: [[day(T0), 4]] }, { qq: T0 - 300 * DAY }) },
          { op: 'put', collection: USAGE_COLLECTION, id: 'p:gone', value: usage('p', T0 - DAY, { weibo }, {}) },
        ]);
        await store.delete(USAGE_COLLECTION, 'p:gone');
        await store.put(USAGE_COLLECTION, 'p:later', usage('p', T0 - 30 * DAY, { weibo }, { password: T0 + DAY }));
        await store.update<UsageSummary>(USAGE_COLLECTION, 'p:later', (u) => ({ ...u, lastAt: T0 - 5 * DAY }));
        const legacy = usage('p', T0 - DAY, { weibo });
        await store.put(USAGE_COLLECTION, 'p:legacy', legacy);
        await store.put(USAGE_COLLECTION, 'p:legacy-inactive', usage('p', T0 - 11 * DAY, { weibo }));

        const tally = await store.tallyUsage(query);
        assert.deepEqual(
          sortedClasses(tally.classes),
          sortedClasses([
            { count: 2, usesMethod: true, held: ['qq'], used: ['qq'], firstHeldAt: T0 - 2.5 * DAY, methodSignIns: 4 },
            { count: 1, usesMethod: true, held: ['qq', 'password'], used: [], firstHeldAt: T0 - 100 * DAY, methodSignIns: 3 },
            { count: 1, usesMethod: true, held: [], used: [], methodSignIns: 3 },
            { count: 1, usesMethod: false, held: ['qq'], used: ['qq'], firstHeldAt: T0 - 300 * DAY, methodSignIns: 0 },
            { count: 1, usesMethod: true, held: ['password'], used: [], firstHeldAt: T0 + DAY, methodSignIns: 3 },
          ]),
        );
        assert.deepEqual(tally.unlisted, [legacy]);
        clock.set(T0 + DAY);
        const later = await store.tallyUsage({ ...query, activeTo: T0 + DAY });
        assert.equal(
          later.classes.reduce((n, c) => n + c.count, 0),
          5,
          'p:d expired',
        );
        assert.deepEqual(await store.tallyUsage({ ...query, partner: 'nobody' }), { classes: [], unlisted: [] });
      });

      it('tells first ways apart by UTC day and by the side of each cut, keeping the earliest of a class', async () => {
        const held = (id: string, at: number) => store.put(USAGE_COLLECTION, id, usage('p', T0 - DAY, { weibo: [] }, { qq: at }));
        await held('p:1', T0 - 2 * DAY - 1);
        await held('p:2', T0 - 2 * DAY - 2);
        await held('p:3', T0 - 2 * DAY);
        await held('p:4', T0 - 2 * DAY + 1);
        await held('p:5', T0 - 1.5 * DAY);
        await held('p:6', T0 - 20 * DAY);
        await held('p:7', T0 - 30 * DAY);
        await held('p:8', T0 + 5 * DAY);
        await held('p:9', T0 + 9 * DAY);
        const tally = await store.tallyUsage(query);
        const firsts = tally.classes.map((c) => [c.firstHeldAt, c.count]).sort((a, b) => a[0]! - b[0]!);
        assert.deepEqual(firsts, [
          [T0 - 30 * DAY, 2],
          [T0 - 2 * DAY - 2, 2],
          [T0 - 2 * DAY, 1],
          [T0 - 2 * DAY + 1, 2],
          [T0 + 5 * DAY, 2],
        ]);
      });
    });

    describe('cached collections', () => {
      it('hand out deep-frozen documents, the same object until the document changes', async () => {
        await store.put(CACHED, 'p1', { name: 'one', clients: ['c1'] });
        await store.put(CACHED, 'p2', { name: 'two', clients: ['c2'] });
        const p1 = await store.get<CachedDoc>(CACHED, 'p1');
        assert.ok(p1 && Object.isFrozen(p1) && Object.isFrozen(p1.clients), 'deep-frozen');
        assert.equal(await store.get(CACHED, 'p1'), p1, 'the same object on the next read');
        assert.equal((await store.findOne<CachedDoc>(CACHED, 'client', 'c1'))?.value, p1);
        assert.equal((await store.list<CachedDoc>(CACHED))[0]?.value, p1);
        const p2 = await store.get<CachedDoc>(CACHED, 'p2');
        await store.put(CACHED, 'p2', { name: 'two, renamed', clients: ['c2'] });
        const p2after = await store.get<CachedDoc>(CACHED, 'p2');
        assert.deepEqual(p2after, { name: 'two, renamed', clients: ['c2'] }, 'a read right after this process wrote sees the write');
        assert.notEqual(p2after, p2);
        assert.equal(await store.get(CACHED, 'p1'), p1, 'an unchanged document stays the same object');
        const updated = await store.update<CachedDoc>(CACHED, 'p1', (d) => ({ ...d, clients: [...d.clients, 'c3'] }));
        assert.ok(Object.isFrozen(updated));
        assert.deepEqual(await store.get(CACHED, 'p1'), { name: 'one', clients: ['c1', 'c3'] });
        assert.equal((await store.findOne(CACHED, 'client', 'c3'))?.id, 'p1');
        await rejectsWithCode(store.put(CACHED, 'p3', { name: 'three', clients: ['c1'] }), 'ERR_CONFLICT');
        assert.equal(await store.delete(CACHED, 'p2'), true);
        assert.equal(await store.get(CACHED, 'p2'), undefined);
        assert.equal(await store.count(CACHED), 1);
      });

      it('expire like the others', async () => {
        await store.put(CACHED, 'p', { name: 'p', clients: [] }, { expiresAt: T0 + 10 });
        assert.ok(await store.get(CACHED, 'p'));
        clock.set(T0 + 10);
        assert.equal(await store.get(CACHED, 'p'), undefined);
        assert.deepEqual(await store.list(CACHED), []);
      });
    });

    if (caps.durable) {
      describe('durability', () => {
        it('close and reopen shows every acknowledged write', async () => {
          await store.create(DOCS, 'a', doc('a', { handles: ['h1'], tags: ['t'] }));
          await store.create(DOCS, 'b', doc('b', { handles: ['h2'] }));
          await store.put(DOCS, 'b', doc('b2', { handles: ['h3'] }));
          await store.create(DOCS, 'c', doc('c'));
          await store.delete(DOCS, 'c');
          await store.create(DOCS, 'counter', doc('counter'));
          await Promise.all(Array.from({ length: 20 }, () => store.update<ContractDoc>(DOCS, 'counter', (d) => ({ ...d, n: d.n + 1 }))));
          await store.batch([
            { op: 'put', collection: EVENTS, id: 'e1', value: { kind: 'x' } },
            { op: 'put', collection: EVENTS, id: 'e2', value: { kind: 'y' } },
          ]);
          await store.create(TOKENS, 't1', { owner: 'o', n: 1 }, { expiresAt: T0 + 1000 });
          await store.create(TOKENS, 't2', { owner: 'o', n: 2 });
          await store.take(TOKENS, 't2');
          await rejectsWithCode(store.create(DOCS, 'x', doc('x', { handles: ['h1'] })), 'ERR_CONFLICT');

          await reopen();
          assert.deepEqual(await store.get(DOCS, 'a'), doc('a', { handles: ['h1'], tags: ['t'] }));
          assert.deepEqual(await store.get(DOCS, 'b'), doc('b2', { handles: ['h3'] }));
          assert.equal(await store.get(DOCS, 'c'), undefined);
          assert.equal(await store.get(DOCS, 'x'), undefined);
          assert.equal((await store.get<ContractDoc>(DOCS, 'counter'))?.n, 20);
          assert.deepEqual(ids(await store.list(EVENTS)), ['e1', 'e2']);
          assert.deepEqual(await store.get(TOKENS, 't1'), { owner: 'o', n: 1 });
          assert.equal(await store.get(TOKENS, 't2'), undefined);
          assert.equal((await store.findOne(DOCS, 'handle', 'h1'))?.id, 'a');
          assert.equal(await store.findOne(DOCS, 'handle', 'h2'), undefined);
          assert.equal((await store.findOne(DOCS, 'handle', 'h3'))?.id, 'b');
          assert.equal((await store.find(DOCS, 'tag', 't')).length, 1);
          assert.equal(await store.count(DOCS), 3);
          await rejectsWithCode(store.create(DOCS, 'y', doc('y', { handles: ['h3'] })), 'ERR_CONFLICT');
          clock.set(T0 + 999);
          assert.ok(await store.get(TOKENS, 't1'), 'the expiry survives the reopen');
          clock.set(T0 + 1000);
          assert.equal(await store.get(TOKENS, 't1'), undefined);
        });

        it('volatile collections work like the others but need not survive a reopen', async () => {
          const INFLIGHT = 'contract_inflight';
          await store.create(INFLIGHT, 'f1', { owner: 'o1', n: 1 }, { expiresAt: T0 + 100 });
          await rejectsWithCode(store.create(INFLIGHT, 'f2', { owner: 'o1', n: 2 }), 'ERR_CONFLICT');
          assert.deepEqual(await store.update<ContractToken>(INFLIGHT, 'f1', (t) => ({ ...t, n: 5 })), { owner: 'o1', n: 5 });
          const takes = await Promise.all([store.take(INFLIGHT, 'f1'), store.take(INFLIGHT, 'f1')]);
          assert.equal(takes.filter(Boolean).length, 1, 'single use');
          await store.create(INFLIGHT, 'f3', { owner: 'o3', n: 3 }, { expiresAt: T0 + 100 });
          clock.set(T0 + 100);
          assert.equal(await store.get(INFLIGHT, 'f3'), undefined, 'expiry applies');
          await assert.rejects(
            store.batch([
              { op: 'put', collection: INFLIGHT, id: 'x', value: { owner: 'x', n: 0 } },
              { op: 'put', collection: DOCS, id: 'x', value: doc('x') },
            ]),
          );
          assert.equal(await store.get(DOCS, 'x'), undefined, 'a batch spans one group');
          await store.create(DOCS, 'durable', doc('d'));
          await reopen();
          assert.ok(await store.get(DOCS, 'durable'));
        });

        it('expired documents stay gone after reopen, swept or not', async () => {
          await store.create(TOKENS, 'swept', { owner: 'o', n: 1 }, { expiresAt: T0 + 10 });
          await store.create(DOCS, 'unswept', doc('u', { handles: ['hu'] }), { expiresAt: T0 + 10 });
          await store.create(DOCS, 'was-permanent', doc('p'));
          await store.put(DOCS, 'was-permanent', doc('p'), { expiresAt: T0 + 10 });
          clock.set(T0 + 10);
          assert.equal(await store.sweepExpired(), 3);
          await store.create(TOKENS, 'later', { owner: 'o', n: 2 });
          await reopen();
          assert.equal(await store.get(TOKENS, 'swept'), undefined);
          assert.equal(await store.get(DOCS, 'unswept'), undefined);
          assert.equal(await store.get(DOCS, 'was-permanent'), undefined);
          assert.equal(await store.count(DOCS), 0);
          assert.deepEqual(
            (await store.find<ContractToken>(TOKENS, 'owner', 'o')).map((t) => t.n),
            [2],
          );
          await store.create(DOCS, 'new', doc('new', { handles: ['hu'] }));
          await reopen();
          assert.equal((await store.findOne(DOCS, 'handle', 'hu'))?.id, 'new');
          assert.equal(await store.get(DOCS, 'unswept'), undefined);
        });

        it('every write acknowledged during a burst survives reopen', async () => {
          const writes: Promise<unknown>[] = [];
          for (let i = 0; i < 200; i++) {
            writes.push(store.put(EVENTS, `burst-${String(i).padStart(3, '0')}`, { i }));
            if (i % 10 === 0) writes.push(store.put(TOKENS, `tok-${i}`, { owner: 'burst', n: i }));
          }
          await Promise.all(writes);
          await reopen();
          assert.equal(await store.count(EVENTS), 200);
          assert.equal((await store.find(TOKENS, 'owner', 'burst')).length, 20);
          assert.deepEqual(await store.get(EVENTS, 'burst-123'), { i: 123 });
        });
      });
    } else {
      it('declares itself not durable: no reopen is offered', () => {
        assert.equal(harness.reopen, undefined);
      });
    }
  });
}
