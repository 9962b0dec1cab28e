// No response is kept by browsers or caches unless its route opts out: pages carry CSRF tokens, one-time
// links (reset, verify), sign-in state and account data, and the admin API answers secrets once. A route
// opts out by being listed in CACHEABLE (files meant to be cached; oidc-provider's discovery and JWKS keep
// its own headers) or by setting its own Cache-Control, which replaces this default.

import type { NextFunction, Request, Response } from 'express';

/** Paths whose answers may be cached: static files, the favicon, discovery and the signing keys. */
export const CACHEABLE = /^\/(?:static\/|favicon\.ico$|\.well-known\/openid-configuration$|jwks$)/;

export function noStoreByDefault(req: Request, res: Response, next: NextFunction): void {
  if (!CACHEABLE.test(req.path)) res.setHeader('Cache-Control', 'no-store');
  next();
}

/** For routers that must never be cached whatever their path (the admin API and pages). */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
