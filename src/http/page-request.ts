// The request a shopper page is rendered for, kept for the length of the request (AsyncLocalStorage):
// its method and URL and its language headers. The renderer reads it to put the 中文/EN switch (leading
// back to this page) and, for Traditional Chinese browsers, the language choice on every page, and
// pickLocale reads the shopper's own choice from it — without every route passing them along.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

export interface PageRequest {
  method: string;
  /** Path and query, as the browser asked for it. */
  url: string;
  acceptLanguage?: string;
  cookie?: string;
}

const scope = new AsyncLocalStorage<PageRequest>();

export function pageRequest(): PageRequest | undefined {
  return scope.getStore();
}

/** Express middleware: every later handler (oidc-provider's included) runs in this request's scope. */
export function withPageRequest(req: Request, _res: Response, next: NextFunction): void {
  scope.run(
    {
      method: req.method,
      url: req.originalUrl,
      ...(req.headers['accept-language'] ? { acceptLanguage: req.headers['accept-language'] } : {}),
      ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
    },
    next,
  );
}
