// The last express handler: logs the error with its request id (code and message, never secrets),
// answers JSON to API clients and an HTML page in the shopper's language to browsers, showing only
// exposed messages from the catalogue.

import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { pickLocale } from '../i18n/locale.ts';
import { hasMessage, translator } from '../i18n/messages.ts';
import type { Renderer } from './render.ts';

export function errorHandler(log: Logger, renderer: Renderer) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const thrownStatus = (err as { status?: unknown } | null | undefined)?.status;
    const status = err instanceof GatewayError ? err.status : typeof thrownStatus === 'number' ? thrownStatus : 500;
    const code = err instanceof GatewayError ? err.code : status === 404 ? 'ERR_NOT_FOUND' : 'ERR_INTERNAL';
    const requestId = String(res.getHeader('x-request-id') ?? '');
    if (status >= 500) log.error({ reqId: requestId, code, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'request failed');
    if (res.headersSent) return;
    const exposed = err instanceof GatewayError ? err.expose : status < 500;
    if (!req.accepts('html') || req.path.startsWith('/api/')) {
      res.status(status).json({ error: code, message: exposed ? (err as Error).message : 'internal error', requestId });
      return;
    }
    const locale = pickLocale({ acceptLanguage: req.get('accept-language') });
    const t = translator(locale);
    const key = `error.${code}`;
    const message = hasMessage(key) ? t(key, { provider: '', shop: '', hint: '' }) : t('error.default');
    res
      .status(status)
      .type('html')
      .send(await renderer.render('error', { locale, requestId }, { code, message, actions: [{ href: '/', label: t('error.home') }] }));
  };
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new GatewayError('ERR_NOT_FOUND', 'no such page', { status: 404 }));
}
