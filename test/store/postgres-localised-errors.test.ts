// A PostgreSQL server whose messages are not in English (lc_messages = zh_CN.UTF-8 words a unique
// violation's detail as 键值"(…)" 已经存在): unique keys still work as the contract says — a key held
// only by an expired document is taken over, a live holder is ERR_CONFLICT naming the key — because the
// store remembers which keys a write asked for instead of reading them out of the message. Simulated by
// rewording every unique violation's detail on its way to the store.

import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../src/clock.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, type ContractDoc } from './store.contract.ts';

const T0 = Date.parse('2013-09-01T00:00:00Z');
const DOCS = 'contract_docs';

describe('postgres store: a server that words its errors in Chinese', function () {
  this.timeout(20_000);
  let db: TestDatabase;
  let store: PostgresStore;
  const clock = new ManualClock(T0);
  const original = pg.Client.prototype.query;
  let reworded = 0;

  before(async function () {
    if (!(await postgresAvailable())) {
      console.log('      SKIPPED: PostgreSQL is not reachable (CI runs it)');
      this.skip();
    }
    db = await freshDatabase('localised_errors');
    store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
    const reword = (err: { code?: string; detail?: string } | null | undefined) => {
      if (err?.code === '23505') {
        err.detail = `键值"${(err.detail ?? '').replace(/^Key /, '').replace(/ already exists\.?$/, '')}" 已经存在`;
        reworded++;
      }
      return err;
    };
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (err: { code?: string } | null, result: unknown) => callback(reword(err), result);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      }
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      return result instanceof Promise ? result.catch((err) => Promise.reject(reword(err))) : result;
    } as typeof original;
  });

  after(async () => {
    pg.Client.prototype.query = original;
    await store?.close();
    await db?.drop();
  });

  it('a key held only by an expired document is taken over; a live holder is ERR_CONFLICT naming the key', async () => {
    await store.create<ContractDoc>(DOCS, 'old', { title: 'old', n: 0, handles: ['kept-handle'] }, { expiresAt: T0 + 1000 });
    clock.advance(1000);
    await store.create<ContractDoc>(DOCS, 'new', { title: 'new', n: 1, handles: ['kept-handle'] });
    assert.ok(reworded > 0, 'the write met the expired holder and its reworded violation');
    assert.equal((await store.findOne<ContractDoc>(DOCS, 'handle', 'kept-handle'))?.id, 'new');
    await assert.rejects(
      store.put<ContractDoc>(DOCS, 'third', { title: 'third', n: 2, handles: ['kept-handle'] }),
      (err: { code?: string; message: string }) => {
        assert.equal(err.code, 'ERR_CONFLICT');
        assert.match(err.message, /"contract_docs\.handle" already holds key "kept-handle"/);
        return true;
      },
    );
    await assert.rejects(
      store
        .update<ContractDoc>(DOCS, 'new', (d) => ({ ...d, handles: ['kept-handle', 'other'] }))
        .then(() => store.put<ContractDoc>(DOCS, 'fourth', { title: 'fourth', n: 3, handles: ['x', 'other'] })),
      (err: { code?: string; message: string }) => err.code === 'ERR_CONFLICT' && /"x", "other"/.test(err.message),
    );
  });
});
