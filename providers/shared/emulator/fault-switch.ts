// The emulators' fault switch: tests, the sandbox and the benchmark make one endpoint hang, answer 500,
// answer an HTML page, or answer a malformed body, for a number of calls or until cleared. Providers
// may add their own modes (for example a token issued to another app) and check them with `active`.
// A fault may hit only a share of the calls (the benchmark's soak); the switch counts what it served.

import type { NextFunction, Request, Response } from 'express';

export type FaultMode = 'hang' | 'status500' | 'html' | 'malformed' | (string & {});

export const COMMON_FAULT_MODES = ['hang', 'status500', 'html', 'malformed'] as const;

interface Fault {
  mode: FaultMode;
  remaining: number;
  /** The probability that a call gets the fault (1: every call). */
  share: number;
}

export class FaultSwitch {
  readonly #faults = new Map<string, Fault>();
  readonly #hanging = new Set<Response>();
  /** Faults served since the start, by `endpoint mode`. */
  readonly #served = new Map<string, number>();

  /**
   * Make `endpoint` misbehave for the next `times` calls (default: until cleared); with `share` below 1,
   * each call misbehaves with that probability and only those count against `times`.
   */
  set(endpoint: string, mode: FaultMode, times = Infinity, share = 1): void {
    this.#faults.set(endpoint, { mode, remaining: times, share });
  }

  clear(endpoint?: string): void {
    if (endpoint) this.#faults.delete(endpoint);
    else this.#faults.clear();
  }

  list(): Record<string, { mode: FaultMode; remaining: number | null; share?: number }> {
    const out: Record<string, { mode: FaultMode; remaining: number | null; share?: number }> = {};
    for (const [endpoint, f] of this.#faults) {
      out[endpoint] = { mode: f.mode, remaining: Number.isFinite(f.remaining) ? f.remaining : null, ...(f.share < 1 ? { share: f.share } : {}) };
    }
    return out;
  }

  /** How many faults each endpoint has served, by mode (`{"access_token": {"hang": 3}}`). */
  served(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.#served) {
      const [endpoint, mode] = key.split(' ') as [string, string];
      out[endpoint] ??= {};
      out[endpoint][mode] = n;
    }
    return out;
  }

  /** Consumes one use of the fault on `endpoint`, if any (and if this call falls in its share), and returns its mode. */
  take(endpoint: string): FaultMode | undefined {
    const fault = this.#faults.get(endpoint);
    if (!fault) return undefined;
    if (fault.share < 1 && Math.random() >= fault.share) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.delete(endpoint);
    const key = `${endpoint} ${fault.mode}`;
    this.#served.set(key, (this.#served.get(key) ?? 0) + 1);
    return fault.mode;
  }

  /**
   * Express middleware for `endpoint`: applies a common fault, or leaves a provider-specific mode in
   * `res.locals.fault` for the handler. `malformed` sends `malformedBody` with the endpoint's usual
   * content type.
   */
  guard(endpoint: string, malformed: { contentType: string; body: string }) {
    return (_req: Request, res: Response, next: NextFunction): void => {
      const mode = this.take(endpoint);
      switch (mode) {
        case undefined:
          return next();
        case 'hang':
          this.#hanging.add(res);
          res.on('close', () => this.#hanging.delete(res));
          return;
        case 'status500':
          res.status(500).type('text/html').send('<html><body><h1>500 Internal Server Error</h1></body></html>');
          return;
        case 'html':
          res
            .status(200)
            .type('text/html; charset=utf-8')
            .send('<!DOCTYPE html><html><head><title>系统繁忙</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>');
          return;
        case 'malformed':
          res.status(200).set('content-type', malformed.contentType).send(malformed.body);
          return;
        default:
          res.locals.fault = mode;
          return next();
      }
    };
  }

  /** How many responses are hanging right now (tests wait for a request to have arrived). */
  get hanging(): number {
    return this.#hanging.size;
  }

  /** Ends every hanging response (so servers can close). */
  releaseHanging(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }
}
