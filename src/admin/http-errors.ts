// The admin API's error answers, all JSON: `{ error, message, problems?, requestId }`. Validation
// problems name the field and the rule (in Chinese when Accept-Language asks for it first); malformed or oversized bodies and unknown routes answer in the
// same shape; internal errors are logged with the request id and shown only as "internal error".

import type { NextFunction, Request, Response } from 'express';
import { GatewayError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { requestIdOf } from '../log.ts';
import { apiLocale, localizedProblems } from './problem-text.ts';

export interface ErrorBody {
  error: string;
  message: string;
  problems?: { field: string; message: string }[];
  requestId: string;
}

export { requestIdOf };

export function sendError(res: Response, status: number, body: Omit<ErrorBody, 'requestId'>): void {
  res.status(status).json({ ...body, requestId: requestIdOf(res) });
}

export function adminErrorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    const type = (err as { type?: unknown })?.type;
    if (type === 'entity.parse.failed') {
      const detail = String((err as Error).message).replace(/^./, (c) => c.toLowerCase());
      sendError(res, 400, {
        error: 'ERR_VALIDATION',
        message: `malformed JSON body: ${detail}`,
        problems: [{ field: '(body)', message: `is not valid JSON: ${detail}` }],
      });
      return;
    }
    if (type === 'entity.too.large') {
      sendError(res, 413, {
        error: 'ERR_VALIDATION',
        message: `the request body is larger than ${DEFAULTS.adminBodyLimit}`,
        problems: [{ field: '(body)', message: `must be at most ${DEFAULTS.adminBodyLimit}` }],
      });
      return;
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      sendError(res, 415, { error: 'ERR_VALIDATION', message: 'the request body must be UTF-8 JSON' });
      return;
    }
    if (err instanceof ValidationError) {
      // English unless the caller's Accept-Language asks for Chinese first.
      const locale = apiLocale(req.get('accept-language'));
      const problems = localizedProblems(err.problems, locale);
      const message = locale === 'en' ? err.message : problems.map((p) => `${p.field}：${p.message}`).join('');
      sendError(res, 400, { error: err.code, message, problems });
      return;
    }
    if (err instanceof GatewayError && err.status < 500) {
      sendError(res, err.status, { error: err.code, message: err.message });
      return;
    }
    const code = err instanceof GatewayError ? err.code : 'ERR_INTERNAL';
    log.error({ reqId: requestIdOf(res), code, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'admin request failed');
    sendError(res, err instanceof GatewayError ? err.status : 500, { error: code, message: 'internal error' });
  };
}

/** Bodies of POST/PUT/PATCH must be JSON. */
export function requireJson(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  if (hasBody && !req.is('application/json')) {
    throw new GatewayError('ERR_VALIDATION', 'send the body as JSON with "Content-Type: application/json"', { status: 415 });
  }
  next();
}

export function apiNotFound(req: Request, _res: Response, next: NextFunction): void {
  next(new GatewayError('ERR_NOT_FOUND', `no admin API route ${req.method} ${req.baseUrl}${req.path}; see ${req.baseUrl}/openapi.json`, { status: 404 }));
}

/** Admin answers are never cached. */
export { noStore } from '../http/no-store.ts';
