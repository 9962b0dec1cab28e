// The trial and test load balancer (test/support/round-robin-proxy.ts) behaves as nginx with
// `proxy_next_upstream error`: an instance that dies as a request reaches it (the connection cut before any
// answer) costs a GET nothing — it goes to the next instance — while a POST, which may have taken effect,
// gets a 502.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('round-robin proxy: an instance dying under a request', () => {
  let received = 0;
  // Reads the request, then cuts the connection without answering: a process killed mid-request.
  const dying = createServer((req) => {
    received++;
    req.socket.destroy();
  });
  const healthy = createServer((_req, res) => res.end('healthy'));
  const proxies: RoundRobinProxy[] = [];
  let ports: number[] = [];

  before(async () => {
    ports = [await listen(dying), await listen(healthy)];
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    dying.close();
    healthy.close();
  });

  async function fresh(): Promise<RoundRobinProxy> {
    const proxy = await startRoundRobinProxy([...ports]);
    proxies.push(proxy);
    return proxy;
  }

  it('a GET the first instance received and never answered is answered by the next one', async () => {
    const proxy = await fresh();
    const before = received;
    const res = await fetch(`${proxy.url}/readyz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'healthy');
    assert.equal(received, before + 1, 'the dying instance did receive the request');
    assert.deepEqual(proxy.servedBy('/readyz'), [1]);
  });

  it('a POST the first instance received is a 502, not repeated elsewhere', async () => {
    const proxy = await fresh();
    const before = received;
    const res = await fetch(`${proxy.url}/token`, { method: 'POST', body: 'grant_type=x' });
    assert.equal(res.status, 502);
    assert.equal(received, before + 1);
    assert.deepEqual(proxy.servedBy('/token'), [0], 'recorded as the first instance failing, never sent to the second');
  });
});
