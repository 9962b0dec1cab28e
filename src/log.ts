// Structured logs (pino) with a request id on every line. Nothing secret reaches a log: URLs lose
// their query values for parameters that carry codes, tokens, state or secrets, headers that carry
// credentials are redacted, and errors are logged by code and message only.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

export type { Logger };

/** `auth_code`, `auth_token`: Alipay's names for the code and the token. */
const SECRET_PARAMS =
  /^(code|auth_code|auth_token|state|access_token|refresh_token|id_token|token|client_secret|code_verifier|password|secret|assertion|client_assertion|id_token_hint|logout_token|_csrf)$/i;

/** The URL with the values of secret-bearing query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SECRET_PARAMS.test(key)) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'denglu',
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.client_secret', '*.password', '*.accessToken'],
        censor: '[redacted]',
      },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** The request id of this response (set by httpLogger), for pages and log lines. */
export function requestIdOf(res: ServerResponse): string {
  return String(res.getHeader('x-request-id') ?? '');
}

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && /^[\w.-]{8,64}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Express middleware: request id (from X-Request-Id when sane, else a new UUID) and one line per request.
 * Below `info` no request lines are written, so only the id is set (pino-http's per-request child
 * logger would cost CPU on every request for nothing).
 */
export function httpLogger(logger: Logger) {
  if (!logger.isLevelEnabled('info')) {
    return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
      (req as IncomingMessage & { id: string }).id = requestId(req, res);
      next();
    };
  }
  return pinoHttp({
    logger,
    genReqId: requestId,
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: (err: { name?: string; code?: unknown; message?: string } | null | undefined) => ({ type: err?.name, code: err?.code, message: err?.message }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/static/') },
  });
}
