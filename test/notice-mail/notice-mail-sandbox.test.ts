// The sandbox as a tester runs it (`src/main.ts` in a child process, SANDBOX=true, simulated time
// 2013-09-20 10:00 Beijing time): a JD shopper who signed in with Weibo and verified an email finds the
// notice mail in the sandbox outbox after the gateway's own once-a-minute background tick — no test hook.
// The shopper is put in the data directory before the gateway starts, so this waits about a minute.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '../../src/accounts/account.ts';
import { ManualClock } from '../../src/clock.ts';
import { createStore } from '../../src/store/create-store.ts';
import { freePort, spawnGateway, type GatewayProcess } from '../support/gateway-process.ts';

const NOW = '2013-09-20T10:00:00+08:00';

describe('sandbox: the notice mail reaches the outbox through the background tick', function () {
  this.timeout(150_000);
  let workDir: string;
  let gateway: GatewayProcess | undefined;
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'denglu-notice-sandbox-'));
  });
  after(async () => {
    await gateway?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a JD Weibo shopper with a verified email finds the mail at /sandbox/outbox', async () => {
    const dataDir = join(workDir, 'data');
    const clock = new ManualClock(NOW);
    const store = await createStore({ dataDir, clock });
    const now = clock.now();
    const account: Account = {
      id: 'sandbox-shopper',
      createdAt: now,
      identities: [{ provider: 'weibo', subject: '1000001', keys: ['weibo:uid:1000001'], displayName: '小明', linkedAt: now, lastUsedAt: now }],
      profile: { name: '小明' },
      shops: { jd: { firstAt: now, lastAt: now, lastProvider: 'weibo' } },
      native: { email: 'xiaoming@example.com', emailVerifiedAt: now },
      noticeMail: { locale: 'en' },
    };
    await store.create('accounts', account.id, account);
    await store.close();

    const port = await freePort();
    gateway = spawnGateway(
      {
        PORT: String(port),
        DATA_DIR: dataDir,
        SANDBOX: 'true',
        SANDBOX_NOW: NOW,
        SANDBOX_EMULATOR_PORT: String(await freePort()),
        SANDBOX_SHOP_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      workDir,
    );
    await gateway.ready(30_000);
    // The first tick comes a minute after start; poll the page like a tester reloading it.
    let outbox = '';
    const deadline = Date.now() + 100_000;
    while (!outbox.includes('data-to="xiaoming@example.com"')) {
      assert.ok(Date.now() < deadline, `no notice mail in the outbox after 100 s:\n${gateway.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      outbox = await (await fetch(`http://127.0.0.1:${port}/sandbox/outbox`, { headers: { 'accept-language': 'en' } })).text();
    }
    assert.match(outbox, /Weibo sign-in at JD\.com \(demo\) ends on 25 September 2013 at 00:00 \(Beijing time\); link another way now/);
    assert.match(gateway.output(), /notice mail progress/);
  });
});
