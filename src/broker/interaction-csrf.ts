// CSRF tokens for the state-changing forms of a sign-in (the password form, consent, "back to the shop",
// the notice's "continue"): csrf-csrf's double-submit token, bound to the browser-binding cookie, so these
// POSTs need a token from a page Denglu rendered, not only the SameSite=Lax interaction cookie. A missing
// or wrong token is ERR_CSRF (403, the error page in the shopper's language) and nothing happens.

import express, { type RequestHandler, type Response } from 'express';
import { createCsrf } from '../http/csrf.ts';
import { BINDING_COOKIE, browserBinding } from './binding-cookie.ts';

export interface InteractionCsrf {
  /** A token for the forms of the page this response renders (sets the binding cookie if missing). */
  token(res: Response): string;
  /** Parses the form body and refuses a POST without a valid token. */
  protect: RequestHandler[];
}

export function createInteractionCsrf(options: { cookieKeys: string[]; secure: boolean }): InteractionCsrf {
  const csrf = createCsrf({
    cookieKeys: options.cookieKeys,
    purpose: 'interaction',
    secure: options.secure,
    sessionId: (req) => String(req.cookies?.[BINDING_COOKIE] ?? ''),
  });
  return {
    token(res) {
      const req = res.req;
      // A binding cookie this same response sets already identifies the browser for the token.
      req.cookies = { ...req.cookies, [BINDING_COOKIE]: browserBinding(req, res, options.secure) };
      return csrf.token(req, res);
    },
    protect: [express.urlencoded({ extended: false, limit: '10kb' }), csrf.protect],
  };
}
