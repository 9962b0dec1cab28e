// Restarting keeps what must not change: the signing keys (shops keep validating old and new tokens),
// the accounts (same `sub`), and shoppers' sessions.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../support/browser.ts';
import { atShop, authRequest, loginWith, redeem, startGateway } from '../support/gateway.ts';

describe('e2e: restart', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'denglu-restart-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps signing keys, accounts and sessions across a restart', async () => {
    const browser = new TestBrowser();
    let gw = await startGateway({ dataDir });
    const port = Number(new URL(gw.issuer).port);
    const first = await loginWith(gw, browser, 'alpha-basic', 'weibo', 'restart-user');
    const jwksBefore = await (await fetch(`${gw.issuer}/jwks`)).json();
    await gw.close({ keepData: true });

    gw = await startGateway({ dataDir, port });
    try {
      const jwksAfter = await (await fetch(`${gw.issuer}/jwks`)).json();
      assert.deepEqual(jwksAfter, jwksBefore, 'same signing keys after restart');
      await jwtVerify(first.tokens.id_token!, createLocalJWKSet(jwksAfter), { issuer: gw.issuer, audience: 'alpha-basic' });

      // Same browser: the Denglu session survived, so no provider page at all.
      const shop = gw.shops['alpha-basic']!;
      const request = await authRequest(shop);
      const page = await browser.go(request.url, { stopAt: atShop(shop) });
      assert.equal(page.status, 0, 'straight back to the shop');
      assert.equal((await redeem(shop, page.url, request)).claims()!.sub, first.claims.sub);

      // A new browser signing in again with the same upstream identity finds the same account.
      const again = await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'restart-user');
      assert.equal(again.claims.sub, first.claims.sub);
      assert.equal(await gw.store.count('accounts'), 1);
    } finally {
      await gw.close({ keepData: true });
    }
  });
});
