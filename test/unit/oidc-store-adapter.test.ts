// The oidc-provider storage adapter's document layout: payloads kept as JSON text with the indexed fields
// beside them, every read a private copy, and documents stored in the earlier layout (payload object)
// still found and read.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { createStoreAdapter, type OidcDoc } from '../../src/oidc/store-adapter.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.ts';

describe('oidc store adapter', () => {
  let dir: string;
  let store: LowdbStore;
  const clock = new ManualClock(Date.UTC(2026, 10, 21));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-adapter-'));
    store = await LowdbStore.open({ dir, clock, collections: COLLECTIONS });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the payload as text beside its indexed fields, and hands out private copies', async () => {
    const Adapter = createStoreAdapter(store, clock);
    const sessions = new Adapter('Session');
    const payload = { jti: 's1', uid: 'u1', accountId: 'acc-1', loginTs: 100, authorizations: { shop: { grantId: 'g1' } }, amr: ['fed', 'weibo'] };
    await sessions.upsert('s1', payload, 3600);
    const stored = (await store.get<OidcDoc>('oidc', 'Session:s1'))!;
    assert.equal(typeof stored.p, 'string');
    assert.deepEqual(JSON.parse(stored.p!), payload);
    assert.equal(stored.payload, undefined);
    assert.equal(stored.accountId, 'acc-1');
    assert.equal(stored.uid, 'u1');
    assert.equal(stored.loginAt, clock.now());
    const read = (await sessions.find('s1'))!;
    assert.deepEqual(read, payload);
    read.authorizations.shop.grantId = 'changed';
    assert.equal((await sessions.findByUid('u1'))!.authorizations.shop.grantId, 'g1', 'a read is a private copy');
    assert.equal((await store.find<OidcDoc>('oidc', 'account', 'acc-1')).length, 1);
  });

  it('keeps the login instant across re-saves of the same login, and consumes without losing it', async () => {
    const Adapter = createStoreAdapter(store, clock);
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'acc-1', loginTs: 100 }, 3600);
    const loginAt = clock.now();
    clock.advance(60_000);
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'acc-1', loginTs: 100, touched: true }, 3600);
    assert.equal((await store.get<OidcDoc>('oidc', 'Session:s1'))!.loginAt, loginAt, 'same login');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'acc-1', loginTs: 160 }, 3600);
    assert.equal((await store.get<OidcDoc>('oidc', 'Session:s1'))!.loginAt, clock.now(), 'a new login');
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { jti: 'c1', grantId: 'g1', accountId: 'acc-1' }, 60);
    await codes.consume('c1');
    const code = (await codes.find('c1'))!;
    assert.equal(typeof code.consumed, 'number');
    assert.equal(code.grantId, 'g1');
    assert.equal((await store.find<OidcDoc>('oidc_volatile', 'grantId', 'g1')).length, 1, 'still indexed after consume');
  });

  it('reads and indexes documents stored in the earlier layout (payload object)', async () => {
    await store.put<OidcDoc>('oidc', 'Session:old', { model: 'Session', payload: { jti: 'old', uid: 'u-old', accountId: 'acc-9', loginTs: 5 }, loginAt: 42 });
    const Adapter = createStoreAdapter(store, clock);
    const sessions = new Adapter('Session');
    assert.deepEqual(await sessions.findByUid('u-old'), { jti: 'old', uid: 'u-old', accountId: 'acc-9', loginTs: 5 });
    assert.equal((await store.find<OidcDoc>('oidc', 'account', 'acc-9')).length, 1);
    await sessions.upsert('old', { jti: 'old', uid: 'u-old', accountId: 'acc-9', loginTs: 5 }, 3600);
    assert.equal((await store.get<OidcDoc>('oidc', 'Session:old'))!.loginAt, 42, 'the same login keeps its instant across the layout change');
  });
});
