// Values a request has already read or written, kept on that request so that later steps of the same
// request do not read them again. Only for the request's own lifetime: a WeakMap on the Node request
// object, which express and oidc-provider share; another request always reads the store.

import type { IncomingMessage } from 'node:http';

export interface RequestMemo<T> {
  /** Remembers the value this request just read or wrote (the version the store holds now). */
  keep(req: IncomingMessage, value: T): void;
  /** The value with this id when this request already has it at hand. */
  get(req: IncomingMessage | undefined, id: string): T | undefined;
  /** Drops the value with this id from the request (it was deleted). */
  forget(req: IncomingMessage | undefined, id: string): void;
}

/** One value per request, found again by its id (`idOf`). */
export function requestMemo<T>(idOf: (value: T) => string | undefined): RequestMemo<T> {
  const byRequest = new WeakMap<IncomingMessage, T>();
  return {
    keep: (req, value) => void byRequest.set(req, value),
    get(req, id) {
      const value = req ? byRequest.get(req) : undefined;
      return value !== undefined && idOf(value) === id ? value : undefined;
    },
    forget(req, id) {
      const value = req ? byRequest.get(req) : undefined;
      if (req && value !== undefined && idOf(value) === id) byRequest.delete(req);
    },
  };
}
