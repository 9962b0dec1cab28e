// Says in the log when discovery is asked at an origin other than the issuer's. oidc-provider publishes
// its endpoints at the request's scheme and host, so shops asking there are sent to that origin: a proxy
// passing `Host: $host` (nginx drops the issuer's port with it), or one missing from TRUST_PROXY, breaks
// every sign-in silently. One warning per origin (at most a few), so a misconfiguration shows once.

import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.ts';

const DISCOVERY = '/.well-known/openid-configuration';
/** Distinct origins warned about at most (a client choosing Host headers cannot fill the log). */
const MAX_WARNED = 5;

export function issuerOriginCheck(issuer: string, log: Logger): (req: Request, res: Response, next: NextFunction) => void {
  const expected = new URL(issuer).origin;
  const warned = new Set<string>();
  return (req, _res, next) => {
    if (req.path === DISCOVERY && warned.size < MAX_WARNED) {
      const origin = originOf(`${req.protocol}://${req.host}`);
      if (origin !== expected && !warned.has(origin)) {
        warned.add(origin);
        log.warn(
          { origin, issuer: expected },
          `discovery asked at ${origin}, not at DENGLU_ISSUER ${expected}: the endpoints it publishes point there. Behind a proxy, pass the issuer's host with its port (nginx: proxy_set_header Host $http_host and X-Forwarded-Host $http_host) and the scheme (X-Forwarded-Proto), and name the proxy in TRUST_PROXY`,
        );
      }
    }
    next();
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
