// One answer to "who is the client and did it speak https", for express and oidc-provider alike. Express
// decides from `trust proxy` (config.trustProxy); oidc-provider (a Koa app, `proxy` on) would believe
// X-Forwarded-* from anybody. So, first thing on every request, the forwarded headers are replaced by what
// express concluded: a value is kept only where a trusted proxy changed express's answer from the
// connection's own, so a client's own X-Forwarded-* is dropped and oidc-provider reads exactly express's
// protocol, host and address.

import type { NextFunction, Request, Response } from 'express';
import type { TLSSocket } from 'node:tls';

export function forwardedAsTrusted(req: Request, _res: Response, next: NextFunction): void {
  const { protocol, host, ip } = req;
  const direct = {
    protocol: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    host: req.headers.host,
    ip: req.socket.remoteAddress,
  };
  delete req.headers.forwarded;
  delete req.headers['x-forwarded-proto'];
  delete req.headers['x-forwarded-host'];
  delete req.headers['x-forwarded-for'];
  if (protocol !== direct.protocol) req.headers['x-forwarded-proto'] = protocol;
  if (host && host !== direct.host) req.headers['x-forwarded-host'] = host;
  if (ip && ip !== direct.ip) req.headers['x-forwarded-for'] = ip;
  next();
}
