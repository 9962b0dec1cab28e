// How the command line talks to a running gateway's admin API: JSON over HTTP with the bearer token,
// a timeout, and every failure turned into a CliError with a clear message and an exit code
// (1 refused, 3 unreachable, 4 token missing, wrong or not allowed).

import type { ErrorAnswer } from './answers.ts';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, auth: 4 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  /** Extra lines (one validation problem each). */
  readonly details: string[];
  constructor(exitCode: number, message: string, details: string[] = []) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

export interface ApiProblem {
  field: string;
  message: string;
}

/** How a schedule field is spelled on the command line, to point at the flag that caused a problem. */
const FIELD_FLAGS: Record<string, string> = {
  startsAt: '--starts',
  noticeAt: '--notice',
  cutoffAt: '--cutoff',
  cutoff: '--cutoff',
  graceEnds: '--grace-ends',
  activeDays: '--active-days',
  graceEndsAt: '--grace-ends',
  atCutoff: '--policy',
  newAccountsDuringNotice: '--no-new-accounts-during-notice',
  'notice.zh-CN': '--notice-zh',
  'notice.en': '--notice-en',
  effectiveImmediately: '--immediately',
  at: '--at',
  locale: '--locale',
  from: '--from',
  to: '--to',
  limit: '--limit',
  before: '--before',
};

export class AdminClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  constructor(baseUrl: string, token: string | undefined) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
  }

  /** The answer's JSON, typed as the caller expects it (the gateway's contract, not checked here). */
  /** The answer's JSON; with `as: 'text'`, a successful answer's body as text (CSV). */
  async request<T = unknown>(method: string, path: string, body?: unknown, as: 'json' | 'text' = 'json'): Promise<T> {
    if (!this.#token) {
      throw new CliError(
        EXIT.auth,
        'no admin token: pass --token <token> or set DENGLU_TOKEN (the operator token, or a partner manager token <managerId>.<secret>)',
      );
    }
    const url = `${this.baseUrl}/api/admin${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: as === 'text' ? 'text/csv, application/json' : 'application/json',
          authorization: `Bearer ${this.#token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(EXIT.unreachable, `cannot reach the gateway at ${this.baseUrl} (${reason}); is it running? Point --url or DENGLU_URL at it`);
    }
    if (res.status === 204) return undefined as T;
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // A download the gateway cut off (a store failure mid-stream, src/http/csv-stream.ts): print nothing of it.
      throw new CliError(EXIT.unreachable, `the answer from ${url} broke off before its end (${(err as Error).message}); nothing was printed, try again`);
    }
    if (res.ok && as === 'text') return text as T;
    let json: ErrorAnswer | null;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(EXIT.unreachable, `${url} answered ${res.status} without JSON; is ${this.baseUrl} a Denglu gateway?`);
    }
    if (res.ok) return json as T;
    const ref = json?.requestId ? `, request ${json.requestId}` : '';
    const code = json?.error ?? `HTTP ${res.status}`;
    if (res.status === 401) {
      throw new CliError(
        EXIT.auth,
        `the gateway refused the token (${code}${ref}): pass the operator token or a partner manager token <managerId>.<secret> with --token or DENGLU_TOKEN`,
      );
    }
    if (res.status === 403) throw new CliError(EXIT.auth, `not allowed: ${json?.message ?? 'forbidden'} (${code}${ref})`);
    if (res.status === 429) throw new CliError(EXIT.refused, `${json?.message ?? 'too many requests'} (${code}${ref})`);
    const problems: ApiProblem[] = Array.isArray(json?.problems) ? json.problems : [];
    if (problems.length) {
      throw new CliError(
        EXIT.refused,
        `the gateway refused this (${code}${ref}):`,
        problems.map((p) => `${p.field}${FIELD_FLAGS[p.field] ? ` (${FIELD_FLAGS[p.field]})` : ''}: ${p.message}`),
      );
    }
    throw new CliError(EXIT.refused, `${json?.message ?? 'the gateway failed'} (${code}${ref})`);
  }
}
