// CSRF protection for Denglu's own forms (account console, admin pages): csrf-csrf's double-submit token,
// HMAC-bound to the caller's session identifier with a secret derived from the cookie keys. Forms carry
// the token in a hidden `_csrf` field; a missing or wrong token is ERR_CSRF (403) and nothing happens.

import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { GatewayError } from '../errors.ts';

export interface Csrf {
  /** A token for a form rendered in this response. */
  token(req: Request, res: Response): string;
  /** Middleware refusing unsafe methods without a valid token (after a body parser). */
  protect(req: Request, res: Response, next: NextFunction): void;
}

export function createCsrf(options: { cookieKeys: string[]; purpose: string; secure: boolean; sessionId: (req: Request) => string }): Csrf {
  const secrets = options.cookieKeys.map((k) => createHmac('sha256', k).update(`csrf:${options.purpose}`).digest('base64url'));
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secrets,
    getSessionIdentifier: options.sessionId,
    cookieName: `dl_csrf_${options.purpose}`,
    cookieOptions: { sameSite: 'lax', secure: options.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  });
  return {
    token: (req, res) => generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
    protect: (req, res, next) =>
      doubleCsrfProtection(req, res, (err?: unknown) =>
        next(
          err ? new GatewayError('ERR_CSRF', 'the form has expired or did not come from this site; reload the page and try again', { status: 403 }) : undefined,
        ),
      ),
  };
}
