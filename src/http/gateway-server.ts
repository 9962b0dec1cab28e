// The gateway's HTTP server: plain http (behind a TLS-terminating proxy) or https with the configured
// certificate, with the limits a login service needs against slow and greedy clients — a deadline for
// the request headers and for the whole request, a short keep-alive, a bounded header block and a cap
// on open connections (connections past it are closed at once). src/main.ts listens on it.

import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { HttpLimits } from '../../config/load-config.ts';

export type GatewayServer = HttpServer | HttpsServer;

export interface GatewayServerOptions {
  limits: HttpLimits;
  /** PEM certificate chain and key: serve https. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export function createGatewayServer(handler: RequestListener, o: GatewayServerOptions): GatewayServer {
  const options = {
    headersTimeout: o.limits.headersTimeoutMs,
    requestTimeout: o.limits.requestTimeoutMs,
    maxHeaderSize: o.limits.maxHeaderBytes,
    // Node checks the two deadlines above on this interval (30 s by default, far too coarse for them).
    connectionsCheckingInterval: Math.min(1000, Math.floor(o.limits.headersTimeoutMs / 4)),
  };
  const server = o.tls ? createHttpsServer({ ...options, cert: o.tls.cert, key: o.tls.key }, handler) : createHttpServer(options, handler);
  server.keepAliveTimeout = o.limits.keepAliveTimeoutMs;
  server.maxHeadersCount = o.limits.maxHeadersCount;
  server.maxConnections = o.limits.maxConnections;
  return server;
}
