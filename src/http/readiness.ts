// GET /readyz for load balancers and orchestrators: 200 `{ status: 'ready', store: { backend } }` when the
// store answers and its schema is the one this code knows (store.ready()), else 503 with a JSON body
// saying why (never a secret: store errors carry no connection details). No authentication, never cached,
// and never longer than READY_TIMEOUT_MS. /healthz (the process is up) stays beside it. The log line of a
// 503 carries the reason.

import type { Request, Response } from 'express';
import { GatewayError } from '../errors.ts';
import { requestIdOf } from '../log.ts';
import type { Store } from '../store/store.ts';

const READY_TIMEOUT_MS = 5000;

export function readiness(store: Store) {
  return async (_req: Request, res: Response): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    const backend = store.info.backend;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ready(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new GatewayError('ERR_STORE_UNAVAILABLE', `the store did not answer within ${READY_TIMEOUT_MS} ms`, { status: 503 })),
            READY_TIMEOUT_MS,
          );
        }),
      ]);
      res.json({ status: 'ready', store: { backend } });
    } catch (err) {
      const message = err instanceof GatewayError ? err.message : 'the store is unavailable';
      // pino-http logs res.err with the 503 (type, code and message, never a stack): the log says why.
      (res as Response & { err?: Error }).err = err instanceof Error ? err : new Error(message);
      res.status(503).json({ status: 'unavailable', store: { backend }, error: 'ERR_STORE_UNAVAILABLE', message, requestId: requestIdOf(res) });
    } finally {
      clearTimeout(timer);
    }
  };
}
