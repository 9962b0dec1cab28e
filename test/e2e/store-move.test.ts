// Moving the sandbox's data to another store keeps every shopper's `sub` at every shop: a shopper signs
// in through a gateway on an embedded data directory, the directory is exported and imported into a new
// store (another directory, or a fresh PostgreSQL database), a gateway starts on that store with the same
// issuer, and then the shopper's session still brings them straight back to the shop, a new sign-in with
// the same upstream user finds the same account (same pairwise sub), and the shop's refresh token works.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { systemClock } from '../../src/clock.ts';
import { exportStore, importStore } from '../../src/store/move/move-store.ts';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, type Gateway, type GatewayOptions, loginWith, redeem, startGateway } from '../support/gateway.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const OFFLINE = { scope: 'openid profile offline_access', prompt: 'consent' };

describe('e2e: store move keeps every sub', function () {
  this.timeout(60_000);
  let root: string;
  let gw: Gateway | undefined;
  // The move starts from an embedded data directory by definition: TEST_STORE=postgres (every test
  // gateway on PostgreSQL) does not apply to this suite's gateways; the target is named explicitly.
  const testStore = process.env.TEST_STORE;
  before(async () => {
    delete process.env.TEST_STORE;
    root = await mkdtemp(join(tmpdir(), 'denglu-store-move-e2e-'));
  });
  afterEach(async () => {
    await gw?.close({ keepData: true });
    gw = undefined;
  });
  after(async () => {
    if (testStore !== undefined) process.env.TEST_STORE = testStore;
    await rm(root, { recursive: true, force: true });
  });

  /** Signs shoppers in on an embedded directory, moves it to `target`, and checks them on a gateway there. */
  async function moveAndSignInAgain(label: string, target: string, targetGateway: (port: number) => GatewayOptions): Promise<void> {
    const source = join(root, `${label}-source`);
    const browser = new TestBrowser();
    gw = await startGateway({ dataDir: source });
    const port = Number(new URL(gw.issuer).port);
    const weibo = await loginWith(gw, browser, 'alpha-basic', 'weibo', 'mover', OFFLINE);
    const qq = await loginWith(gw, new TestBrowser(), 'beta-basic', 'qq', 'user0042');
    assert.ok(weibo.tokens.refresh_token, 'the shop holds a refresh token');
    await gw.close({ keepData: true });
    gw = undefined;

    const file = join(root, `${label}.ndjson`);
    await exportStore(source, file, { clock: systemClock });
    const imported = await importStore(file, target, { clock: systemClock });
    assert.deepEqual(imported.mismatches, []);

    gw = await startGateway(targetGateway(port));
    const shop = gw.shops['alpha-basic']!;
    // The moved browser session: straight back to the shop, same sub.
    const request = await authRequest(shop);
    const page = await browser.go(request.url, { stopAt: atShop(shop) });
    assert.equal(page.status, 0, 'the session moved: no provider page');
    assert.equal((await redeem(shop, page.url, request)).claims()!.sub, weibo.claims.sub);
    // A new browser, the same upstream users: the same accounts, the same pairwise subs.
    assert.equal((await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'mover')).claims.sub, weibo.claims.sub);
    assert.equal((await loginWith(gw, new TestBrowser(), 'beta-basic', 'qq', 'user0042')).claims.sub, qq.claims.sub);
    assert.equal(await gw.store.count('accounts'), 2, 'no account created twice');
    // The refresh token issued before the move still works after it.
    const refreshed = await oidc.refreshTokenGrant(shop.config, weibo.tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    assert.equal(refreshed.claims()?.sub, weibo.claims.sub);
  }

  it('embedded → file → another embedded directory: same sub, live session and refresh token', async () => {
    const target = join(root, 'target');
    await moveAndSignInAgain('embedded', target, (port) => ({ dataDir: target, port }));
  });

  describe('into PostgreSQL', () => {
    let db: TestDatabase | undefined;
    before(async function () {
      if (!(await postgresAvailable())) return this.skip();
      db = await freshDatabase('store-move-e2e');
    });
    after(async () => {
      await db?.drop();
    });

    it('embedded → file → a fresh database: same sub, live session and refresh token on a gateway there', async () => {
      await moveAndSignInAgain('postgres', db!.url, (port) => ({ dataDir: join(root, 'unused'), databaseUrl: db!.url, port }));
      assert.equal(gw!.store.info.backend, 'postgres');
    });
  });
});
