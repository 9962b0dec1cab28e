// Outbound webhook requests: redirects are never followed, an answer that never comes ends at the
// deadline, a huge answer is cut at the size cap, and in production private and loopback addresses
// (literal or behind a host name) and plain http are refused before any byte is sent.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedLookup, isPrivateAddress, webhookUrlProblem } from '../../src/webhooks/address-policy.ts';
import { postWebhook } from '../../src/webhooks/outbound.ts';

const SANDBOX = { allowPrivate: true };
const PRODUCTION = { allowPrivate: false };

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('webhooks: outbound requests', () => {
  it('does not follow a redirect (to an internal address or anywhere)', async () => {
    const internal = await serve((_req, res) => res.end('secret'));
    const shop = await serve((_req, res) => {
      res.writeHead(302, { location: internal.url }).end();
    });
    const outcome = await postWebhook(shop.url, {}, '{}', SANDBOX);
    assert.equal(outcome.status, 302);
    assert.equal(internal.hits(), 0);
    await shop.close();
    await internal.close();
  });

  it('ends an attempt at its deadline and cuts a huge answer at the size cap', async () => {
    const silent = await serve(() => {});
    const started = performance.now();
    const slow = await postWebhook(silent.url, {}, '{}', SANDBOX, { timeoutMs: 200, maxResponseBytes: 1024 });
    assert.match(slow.error!, /within 200 ms/);
    assert.ok(performance.now() - started < 2000);
    await silent.close();

    const flood = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 97);
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump);
      };
      pump();
    });
    const big = await postWebhook(flood.url, {}, '{}', SANDBOX, { timeoutMs: 5000, maxResponseBytes: 100_000 });
    assert.equal(big.status, 200);
    assert.ok(big.responseExcerpt!.length <= 256);
    await flood.close();
  });

  it('refuses private addresses and http in production, before connecting', async () => {
    const local = await serve((_req, res) => res.end('ok'));
    const port = new URL(local.url).port;
    for (const url of [
      local.url,
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`,
      'https://10.1.2.3/',
      'https://[::1]/',
      'https://169.254.169.254/',
    ]) {
      const outcome = await postWebhook(url, {}, '{}', PRODUCTION, { timeoutMs: 2000, maxResponseBytes: 1024 });
      assert.ok(outcome.error, url);
      assert.equal(outcome.status, undefined, url);
    }
    assert.equal(local.hits(), 0);
    // A name that resolves to loopback is refused when the connection is made (DNS rebinding).
    const refused = await new Promise<Error | null>((resolve) => guardedLookup(PRODUCTION)('localhost', {}, (err) => resolve(err)));
    assert.match(String(refused?.message), /private or reserved/);
    const allowed = await new Promise<string>((resolve) => guardedLookup(SANDBOX)('localhost', {}, (_err, address) => resolve(String(address))));
    assert.ok(isPrivateAddress(allowed));
    await local.close();
  });

  it('classifies addresses and URLs', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888']) assert.equal(isPrivateAddress(a), false, a);
    assert.equal(webhookUrlProblem('https://shop.example.com/hooks', PRODUCTION), undefined);
    assert.equal(webhookUrlProblem('http://shop.example.com/hooks', PRODUCTION), 'must be an https URL');
    assert.equal(webhookUrlProblem('http://localhost:3100/webhooks', SANDBOX), undefined);
    assert.equal(webhookUrlProblem('https://user:pw@shop.example.com/', PRODUCTION), 'must not contain user info');
    assert.equal(webhookUrlProblem('not a url', SANDBOX), 'must be an absolute URL');
    assert.equal(webhookUrlProblem('ftp://shop.example.com/', SANDBOX), 'must be an https URL');
  });
});
