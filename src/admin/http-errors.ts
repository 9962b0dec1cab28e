// The admin API's error answers, all JSON: `{ error, message, problems?, requestId }`, in Chinese when
// Accept-Language asks for it first (problem-text.ts). Validation problems name the field and the rule;
// malformed or oversized bodies and unknown routes answer in the same shape; internal errors are logged
// with the request id and shown only as "internal error".

import type { NextFunction, Request, Response } from 'express';
import { type FieldProblem, GatewayError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { requestIdOf } from '../log.ts';
import { apiLocale, errorText, localizedProblems, type ProblemNames } from './problem-text.ts';

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

/** A 400-class answer with field problems, worded in the caller's language. */
function sendProblems(req: Request, res: Response, status: number, error: string, message: string, problems: FieldProblem[], names: ProblemNames): void {
  const locale = apiLocale(req.get('accept-language'));
  const worded = localizedProblems(problems, locale, names);
  sendError(res, status, { error, message: locale === 'en' ? message : worded.map((p) => `${p.field}：${p.message}`).join(''), problems: worded });
}

/** `names` words providers in Chinese problems by their label. */
export function adminErrorHandler(log: Logger, names: ProblemNames = {}) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    const type = (err as { type?: unknown })?.type;
    if (type === 'entity.parse.failed') {
      const detail = String((err as Error).message).replace(/^./, (c) => c.toLowerCase());
      const problem = { field: '(body)', message: `is not valid JSON: ${detail}`, rule: 'body.json' };
      sendProblems(req, res, 400, 'ERR_VALIDATION', `malformed JSON body: ${detail}`, [problem], names);
      return;
    }
    if (type === 'entity.too.large') {
      const max = DEFAULTS.adminBodyLimit;
      const problem = { field: '(body)', message: `must be at most ${max}`, rule: 'body.tooLarge', params: { max } };
      sendProblems(req, res, 413, 'ERR_VALIDATION', `the request body is larger than ${max}`, [problem], names);
      return;
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      const refusal = { code: 'ERR_VALIDATION' as const, message: 'the request body must be UTF-8 JSON' };
      sendError(res, 415, { error: refusal.code, message: errorText(refusal, apiLocale(req.get('accept-language'))) });
      return;
    }
    if (err instanceof ValidationError) {
      sendProblems(req, res, 400, err.code, err.message, err.problems, names);
      return;
    }
    if (err instanceof GatewayError && err.status < 500) {
      sendError(res, err.status, { error: err.code, message: errorText(err, apiLocale(req.get('accept-language')), names) });
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
