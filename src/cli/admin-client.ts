// How the command line talks to a running gateway's admin API: JSON over HTTP with the bearer token,
// a timeout on silence (the gateway quiet for SILENCE_MS before its answer begins, or between two pieces
// of it: a long CSV download goes on as long as it keeps coming), and every failure turned into a CliError with a clear message and an exit code
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

/** How long the gateway may stay silent: before its answer begins, or between two pieces of it. */
export const SILENCE_MS = 15_000;

export class AdminClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #silenceMs: number;
  constructor(baseUrl: string, token: string | undefined, options: { silenceMs?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#silenceMs = options.silenceMs ?? SILENCE_MS;
  }

  /** The answer's JSON, typed as the caller expects it (the gateway's contract, not checked here); with `as: 'text'`, a successful answer's body as text (CSV). */
  async request<T = unknown>(method: string, path: string, body?: unknown, as: 'json' | 'text' = 'json'): Promise<T> {
    if (!this.#token) {
      throw new CliError(
        EXIT.auth,
        'no admin token: pass --token <token> or set DENGLU_TOKEN (the operator token, or a partner manager token <managerId>.<secret>)',
      );
    }
    const url = `${this.baseUrl}/api/admin${path}`;
    const silence = new SilenceTimer(this.#silenceMs);
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
        signal: silence.signal,
      });
    } catch (err) {
      silence.stop();
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(EXIT.unreachable, `cannot reach the gateway at ${this.baseUrl} (${reason}); is it running? Point --url or DENGLU_URL at it`);
    }
    let text: string;
    try {
      text = await readText(res, silence);
    } catch (err) {
      // A download the gateway cut off (a store failure mid-stream, src/http/csv-stream.ts): print nothing of it.
      throw new CliError(EXIT.unreachable, `the answer from ${url} broke off before its end (${(err as Error).message}); nothing was printed, try again`);
    } finally {
      silence.stop();
    }
    if (res.status === 204) return undefined as T;
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

/** Aborts its signal once SILENCE_MS pass without a `heard()`. */
class SilenceTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.#ms = ms;
    this.#timer = this.#arm();
  }
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  heard(): void {
    clearTimeout(this.#timer);
    this.#timer = this.#arm();
  }
  stop(): void {
    clearTimeout(this.#timer);
  }
  #arm(): NodeJS.Timeout {
    return setTimeout(() => this.#controller.abort(new Error(`the gateway was silent for ${this.#ms / 1000} s`)), this.#ms);
  }
}

/** The body as text, each piece that arrives restarting the silence timer. */
async function readText(res: Response, silence: SilenceTimer): Promise<string> {
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of res.body) {
    silence.heard();
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
