// What a request gets when the store is unavailable (a GatewayError ERR_STORE_UNAVAILABLE: database down,
// pool exhausted past its wait, statement timeout, store closed): a clear 503 with Retry-After and the
// request id, never a crash or a hang. Browsers get one page in Chinese and English ("登录服务暂时不可用 /
// Sign-in is temporarily unavailable"); OIDC protocol endpoints the OAuth error `temporarily_unavailable`;
// the admin API and other JSON clients `{ error: 'ERR_STORE_UNAVAILABLE', message, requestId }`. Express
// routers mount `storeUnavailable` before their own error handler; each OpenID Provider gets
// `storeUnavailableKoa` (oidc-provider catches errors inside its routes, so it hears of them through
// its `server_error` event, see `markStoreUnavailable`).

import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { GatewayError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { requestIdOf, type Logger } from '../log.ts';
import type { Renderer } from './render.ts';

/** Seconds a client is asked to wait (the page says "in a minute"). */
export const RETRY_AFTER_SECONDS = 60;
const MESSAGE = 'the sign-in service is temporarily unavailable; retry in a minute';

export function isStoreUnavailable(err: unknown): err is GatewayError {
  return err instanceof GatewayError && err.code === 'ERR_STORE_UNAVAILABLE';
}

/** The bilingual page. */
export function unavailablePage(renderer: Renderer, requestId: string): Promise<string> {
  const both = (['zh-CN', 'en'] as const).map((locale) => {
    const t = translator(locale);
    return { locale, title: t('unavailable.title'), retry: t('unavailable.retry') };
  });
  return renderer.render('unavailable', { locale: 'zh-CN', ...(requestId ? { requestId } : {}) }, { both });
}

function logUnavailable(log: Logger, res: ServerResponse, err: Error): void {
  log.error({ reqId: requestIdOf(res), code: 'ERR_STORE_UNAVAILABLE', err: { message: err.message } }, 'store unavailable');
}

/** The OAuth error body of a protocol endpoint. */
const protocolError = (requestId: string) => ({ error: 'temporarily_unavailable', error_description: MESSAGE, request_id: requestId });

/**
 * Express error middleware: answers ERR_STORE_UNAVAILABLE with 503, passes every other error on.
 * Without a renderer (the admin API) the answer is always JSON; on `protocolPaths` (OIDC endpoints
 * reached through Denglu's own middleware, e.g. the client-authentication throttle) JSON clients get
 * the OAuth error.
 */
export function storeUnavailable(log: Logger, options: { renderer?: Renderer; protocolPaths?: RegExp } = {}) {
  const { renderer, protocolPaths } = options;
  return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!isStoreUnavailable(err)) return next(err);
    logUnavailable(log, res, err);
    if (res.headersSent) return;
    const requestId = requestIdOf(res);
    res.status(503).set({ 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' });
    const wantsPage = renderer && req.accepts('json', 'html') === 'html' && !req.originalUrl.startsWith('/api/');
    if (!wantsPage && protocolPaths?.test(req.path)) {
      res.json(protocolError(requestId));
      return;
    }
    if (!wantsPage) {
      res.json({ error: err.code, message: MESSAGE, requestId });
      return;
    }
    res.type('html').send(await unavailablePage(renderer!, requestId));
  };
}

const MARK = Symbol('store unavailable');

/** For the OpenID Provider's `server_error` listener: remembers that this request failed on the store. */
export function markStoreUnavailable(ctx: KoaContextWithOIDC, err: unknown): boolean {
  if (!isStoreUnavailable(err)) return false;
  (ctx.state as Record<symbol, unknown>)[MARK] = err;
  return true;
}

/**
 * koa middleware for oidc-provider (provider.use): a request that failed on the store, caught by
 * oidc-provider's own error handling (marked) or not, is answered 503 `temporarily_unavailable`.
 */
export function storeUnavailableKoa(log: Logger, renderer: Renderer) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    try {
      await next();
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      markStoreUnavailable(ctx, err);
    }
    const err = (ctx.state as Record<symbol, unknown>)[MARK] as Error | undefined;
    if (!err) return;
    logUnavailable(log, ctx.res, err);
    const requestId = requestIdOf(ctx.res);
    ctx.status = 503;
    ctx.remove('location');
    ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    ctx.set('Cache-Control', 'no-store');
    if (ctx.accepts('json', 'html') === 'html') {
      ctx.type = 'html';
      ctx.body = await unavailablePage(renderer, requestId);
      return;
    }
    ctx.body = protocolError(requestId);
  };
}
