// The gateway's HTTP server limits (src/http/gateway-server.ts): a client whose headers never finish is
// cut off, connections past the cap are refused while the others are served, an oversized header block
// gets 431, and with a certificate the same server speaks https.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HttpLimits } from '../../config/load-config.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { createGatewayServer, type GatewayServer } from '../../src/http/gateway-server.ts';
import { selfSignedCertificate, trustInThisProcess } from '../support/tls.ts';

const LIMITS: HttpLimits = {
  headersTimeoutMs: DEFAULTS.httpHeadersTimeoutMs,
  requestTimeoutMs: DEFAULTS.httpRequestTimeoutMs,
  keepAliveTimeoutMs: DEFAULTS.httpKeepAliveTimeoutMs,
  maxConnections: DEFAULTS.httpMaxConnections,
  maxHeaderBytes: DEFAULTS.httpMaxHeaderBytes,
  maxHeadersCount: DEFAULTS.httpMaxHeadersCount,
};

const hello = (_req: unknown, res: { end(body: string): void }) => res.end('hello');

async function listen(server: GatewayServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: GatewayServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A raw connection that records what it received and when it was closed. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<void>; connected: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => text,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
  };
}

/** One keep-alive request on a raw connection; resolves when the response is in. */
async function requestOn(client: ReturnType<typeof rawClient>): Promise<string> {
  const before = client.received().length;
  client.socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
  for (let i = 0; i < 200 && !client.received().slice(before).includes('hello'); i++) await new Promise((r) => setTimeout(r, 25));
  return client.received().slice(before);
}

describe('gateway HTTP server limits', function () {
  this.timeout(20_000);

  it('cuts off a client whose request headers never finish (slowloris), while serving others', async () => {
    const server = createGatewayServer(hello, { limits: { ...LIMITS, headersTimeoutMs: 1000 } });
    const port = await listen(server);
    try {
      const slow = rawClient(port);
      await slow.connected;
      slow.socket.write('GET / HTTP/1.1\r\nHost: test\r\n');
      // A header line every 200 ms, never the blank line that ends them.
      const drip = setInterval(() => slow.socket.writable && slow.socket.write(`X-Drip-${Date.now()}: a\r\n`), 200);
      const cutOff = await Promise.race([slow.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      clearInterval(drip);
      assert.ok(cutOff, 'the connection was closed by the server');
      assert.match(slow.received(), /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'hello', 'others are served');
    } finally {
      await close(server);
    }
  });

  it('refuses connections past the cap and accepts again once one closes', async () => {
    const server = createGatewayServer(hello, { limits: { ...LIMITS, maxConnections: 2 } });
    const port = await listen(server);
    const clients: ReturnType<typeof rawClient>[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        clients.push(rawClient(port));
        assert.match(await requestOn(clients[i]!), /hello/, `connection ${i + 1} is served`);
      }
      const third = rawClient(port);
      clients.push(third);
      third.socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
      await third.closed;
      assert.equal(third.received(), '', 'the third connection is closed without an answer');
      assert.match(await requestOn(clients[0]!), /hello/, 'the first two stay open and served');

      clients[1]!.socket.destroy();
      await clients[1]!.closed;
      // The server counts the closed connection down asynchronously: retry briefly.
      let answer = '';
      for (let i = 0; i < 40 && !answer.includes('hello'); i++) {
        const next = rawClient(port);
        clients.push(next);
        answer = await Promise.race([requestOn(next), next.closed.then(() => '')]);
      }
      assert.match(answer, /hello/, 'a new connection is accepted once there is room');
    } finally {
      for (const c of clients) c.socket.destroy();
      await close(server);
    }
  });

  it('answers 431 to a header block larger than the limit', async () => {
    const server = createGatewayServer(hello, { limits: { ...LIMITS, maxHeaderBytes: 2048 } });
    const port = await listen(server);
    try {
      assert.equal((await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-big': 'a'.repeat(1500) } })).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-big': 'a'.repeat(3000) } })).status, 431);
    } finally {
      await close(server);
    }
  });

  it('serves https with the configured certificate and key', async () => {
    const certificate = await selfSignedCertificate();
    const untrust = trustInThisProcess(certificate.cert);
    const server = createGatewayServer((req, res) => res.end((req.socket as unknown as { encrypted?: boolean }).encrypted ? 'encrypted' : 'plain'), {
      limits: LIMITS,
      tls: { cert: certificate.cert, key: certificate.key },
    });
    const port = await listen(server);
    try {
      assert.equal(await (await fetch(`https://localhost:${port}/`)).text(), 'encrypted');
    } finally {
      untrust();
      await close(server);
      await certificate.remove();
    }
  });
});
