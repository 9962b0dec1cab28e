// createStore: the one seam that picks the backend. With today's settings it opens the embedded store with
// Denglu's collections (what the gateway, the harness and the benchmark get), which keeps what it is given
// across a reopen and still refuses a second process on the same directory.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import { GatewayError } from '../../src/errors.ts';

describe('createStore', () => {
  let dir: string;
  const clock = new ManualClock('2013-09-01T00:00:00+08:00');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-create-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("opens the embedded store with Denglu's collections, durable across a reopen", async () => {
    const store = await createStore({ dataDir: dir, clock });
    await store.put('partners', 'jd', { id: 'jd', clients: [{ client_id: 'jd-shop' }] });
    await store.close();
    const again = await createStore({ dataDir: dir, clock });
    try {
      assert.deepEqual(await again.get('partners', 'jd'), { id: 'jd', clients: [{ client_id: 'jd-shop' }] });
      // Denglu's indexes came with the collections: the partner is found by its shop's client_id.
      assert.equal((await again.findOne('partners', 'clientId', 'jd-shop'))?.id, 'jd');
      await assert.rejects(again.put('no-such-collection', 'x', {}), /no-such-collection/);
    } finally {
      await again.close();
    }
  });

  it('refuses a second store on the same directory with a clear error', async () => {
    const store = await createStore({ dataDir: dir, clock });
    try {
      await assert.rejects(createStore({ dataDir: dir, clock }), (err: unknown) => err instanceof GatewayError && err.code === 'ERR_STORE_LOCKED');
    } finally {
      await store.close();
    }
  });

  it('refuses a DATA_DIR that is a file with a clear error naming it, not a stack trace', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, 'x');
    await assert.rejects(
      createStore({ dataDir: file, clock }),
      (err: unknown) =>
        err instanceof GatewayError &&
        err.code === 'ERR_STORE_UNAVAILABLE' &&
        /cannot use the data directory .*not-a-directory.*not a directory/.test(err.message),
    );
  });
});
