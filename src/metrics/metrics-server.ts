// The metrics listener: `GET /metrics` answers this process's registry in the Prometheus text format, on a
// server of its own (METRICS_PORT, bound to METRICS_HOST: this machine only by default), never on the
// gateway's port, so a shopper or a shop can never read it. Anything else is 404; a registry that fails
// to collect answers 500 without detail.

import { createServer, type Server } from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.ts';

export function createMetricsServer(metrics: GatewayMetrics, log?: { warn: (obj: object, msg: string) => void }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: Error) => {
        log?.warn({ err: { message: err.message } }, 'could not collect the metrics');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n');
      },
    );
  });
}
