// The command line's timeout is on silence, not on the whole answer: a long download that keeps coming is
// read to its end, while a gateway that stops sending (before its answer or halfway through it) is given up
// on with a clear "broke off" and nothing printed.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, CliError } from '../../src/cli/admin-client.ts';

const SILENCE_MS = 300;

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('command line: timeout on silence', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('reads a download that takes longer than the silence limit but keeps coming', async () => {
    const rows = 8;
    let url: string;
    ({ server, url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      let i = 0;
      const tick = setInterval(() => {
        res.write(`row${i}\n`);
        if (++i === rows) {
          clearInterval(tick);
          res.end();
        }
      }, SILENCE_MS / 3);
    }));
    const started = Date.now();
    const text = await new AdminClient(url, 'token', { silenceMs: SILENCE_MS }).request<string>('GET', '/x.csv', undefined, 'text');
    assert.ok(Date.now() - started > SILENCE_MS * 2, 'the download lasted well past the silence limit');
    assert.equal(text, Array.from({ length: rows }, (_, i) => `row${i}\n`).join(''));
  });

  it('gives up on a download that stops halfway, printing nothing of it', async () => {
    let url: string;
    ({ server, url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('row0\n'); // and then nothing
    }));
    await assert.rejects(new AdminClient(url, 'token', { silenceMs: SILENCE_MS }).request('GET', '/x.csv', undefined, 'text'), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /broke off before its end \(the gateway was silent for 0\.3 s\)/);
      return true;
    });
  });

  it('gives up on a gateway that never begins its answer', async () => {
    let url: string;
    ({ server, url } = await serve(() => undefined));
    await assert.rejects(new AdminClient(url, 'token', { silenceMs: SILENCE_MS }).request('GET', '/x'), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /silent for 0\.3 s/);
      return true;
    });
  });
});
