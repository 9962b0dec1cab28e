// One answer to "who is the client and did it speak https", for express and oidc-provider alike. Express
// decides from `trust proxy` (config.trustProxy); oidc-provider (a Koa app, `proxy` on) would believe
// X-Forwarded-* from anybody. So, first thing on every request, the forwarded headers are replaced by what
// express concluded: a value is kept only where a trusted proxy changed express's answer from the
// connection's own, so a client's own X-Forwarded-* is dropped and oidc-provider reads exactly express's
// protocol, host and address. With no proxy trusted (the default), express's answers are the connection's
// own, so the headers are only dropped: the getters that walk the trust list stay off the hot path.

import type { NextFunction, Request, Response } from 'express';
import type { TLSSocket } from 'node:tls';

const FORWARDED = ['forwarded', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-for'] as const;

export function forwardedAsTrusted(trustProxy: unknown): (req: Request, res: Response, next: NextFunction) => void {
  if (trustProxy === false) {
    return (req, _res, next) => {
      for (const name of FORWARDED) delete req.headers[name];
      next();
    };
  }
  return replaceForwarded;
}

function replaceForwarded(req: Request, _res: Response, next: NextFunction): void {
  const { protocol, host, ip } = req;
  const direct = {
    protocol: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    host: req.headers.host,
    ip: req.socket.remoteAddress,
  };
  for (const name of FORWARDED) delete req.headers[name];
  if (protocol !== direct.protocol) req.headers['x-forwarded-proto'] = protocol;
  if (host && host !== direct.host) req.headers['x-forwarded-host'] = host;
  if (ip && ip !== direct.ip) req.headers['x-forwarded-for'] = ip;
  next();
}
