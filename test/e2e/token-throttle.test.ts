// Guessing a shop's client secret at /token is throttled per client and address: past
// TOKEN_AUTH_FAILURE_LIMIT failures in a minute that client is refused from that address (429,
// Retry-After, `invalid_client`) before its credentials are checked, even the right ones; other clients
// are not affected; after the minute the real client authenticates again. The same for secrets sent in
// the form (client_secret_post).

import assert from 'node:assert/strict';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';

const LIMIT = 5;
const SECRETS: Record<string, string> = {
  'alpha-basic': 'alpha-basic-secret-0123456789abcdef',
  'alpha-post': 'alpha-post-secret-0123456789abcdef',
  'beta-basic': 'beta-basic-secret-0123456789abcdef',
};

describe('client authentication at /token is throttled per client', function () {
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, env: { TOKEN_AUTH_FAILURE_LIMIT: String(LIMIT) } });
  });
  beforeEach(() => {
    clock.advance(5 * 60_000); // every window of an earlier test is over
  });
  after(async () => {
    await gw.close();
  });

  /** A code redemption with a made-up code: 400 invalid_grant proves the client authenticated. */
  async function redeem(clientId: string, secret: string) {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: gw.shops[clientId]!.redirectUri });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (clientId === 'alpha-post') {
      form.set('client_id', clientId);
      form.set('client_secret', secret);
    } else {
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    }
    const res = await fetch(`${gw.issuer}/token`, { method: 'POST', headers, body: form });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error: string } };
  }

  for (const clientId of ['alpha-basic', 'alpha-post']) {
    it(`${clientId}: wrong secrets get 401 up to the limit, then 429 even for the right one, until the minute ends`, async () => {
      for (let i = 0; i < LIMIT; i++) {
        const wrong = await redeem(clientId, `wrong-secret-${i}`);
        assert.deepEqual([wrong.status, wrong.body.error], [401, 'invalid_client'], `attempt ${i}`);
      }
      const throttled = await redeem(clientId, `wrong-secret-${LIMIT}`);
      assert.deepEqual([throttled.status, throttled.body.error], [429, 'invalid_client']);
      assert.ok(Number(throttled.retryAfter) >= 1 && Number(throttled.retryAfter) <= 60, String(throttled.retryAfter));
      assert.equal((await redeem(clientId, SECRETS[clientId]!)).status, 429, 'the right secret is not even checked');
      assert.equal((await redeem('beta-basic', SECRETS['beta-basic']!)).body.error, 'invalid_grant', 'another client is not affected');
      clock.advance(60_000);
      const real = await redeem(clientId, SECRETS[clientId]!);
      assert.deepEqual([real.status, real.body.error], [400, 'invalid_grant'], 'the real client authenticates after the window');
    });
  }

  it('successful authentications never count', async () => {
    for (let i = 0; i < 3 * LIMIT; i++) assert.equal((await redeem('beta-basic', SECRETS['beta-basic']!)).body.error, 'invalid_grant');
  });
});
