// POST at the authorization endpoint (OpenID Connect Core 3.1.2.1) and at the end-session endpoint
// (RP-Initiated Logout 1.0 §2). A shop's form POST is cross-site, and a cross-site POST does not carry
// SameSite=Lax cookies — above all Denglu's session cookie, without which single sign-on and logout
// cannot see who is signed in. Denglu keeps that cookie Lax (oidc-provider's own POST support would
// require SameSite=None, which also needs Secure, so the http sandbox could not keep a session at all,
// and would send the session on every cross-site request) and answers the POST with a 303 to the same
// endpoint with the form's parameters in the query: that GET is a top-level navigation, which carries
// Lax cookies, and oidc-provider then handles it exactly as a GET request. Only form bodies are taken.

import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { GatewayError } from '../errors.ts';

/** The endpoints that accept POST this way (oidc-provider's default routes). */
const POST_AS_GET_PATHS = ['/auth', '/session/end'] as const;
const IS_POST_AS_GET_PATH = new Set<string>(POST_AS_GET_PATHS);

/** Form bodies larger than this are refused: the parameters must fit in the URL of the GET that follows. */
const MAX_FORM_BYTES = 8 * 1024;

export function postAsGet(): RequestHandler {
  const router = express.Router({ strict: true });
  const form = express.urlencoded({ extended: false, limit: MAX_FORM_BYTES, parameterLimit: 100 });
  const refuse = (message: string, status = 400) => new GatewayError('ERR_VALIDATION', message, { status });
  router.post([...POST_AS_GET_PATHS], (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/x-www-form-urlencoded')) return next(refuse(`POST ${req.path} takes an application/x-www-form-urlencoded form`));
    form(req, res, (err?: unknown) =>
      next(err ? refuse(`the form posted to ${req.path} is too large or malformed`, (err as { status?: number }).status ?? 400) : undefined),
    );
  });
  router.post([...POST_AS_GET_PATHS], (req: Request, res: Response) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(req.body as Record<string, string | string[]>)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
    }
    res.redirect(303, `${req.path}?${query}`);
  });
  // Every other request (the GETs of the login hot path) passes without a walk through the router.
  return (req, res, next) => (req.method === 'POST' && IS_POST_AS_GET_PATH.has(req.path) ? router(req, res, next) : next());
}
