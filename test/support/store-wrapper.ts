// A Store seen through a hook that runs before every call: to give the embedded store a network's
// latency (a macrotask between a read and the write that follows it, as with PostgreSQL, so races that
// the in-memory store would win by luck show up) or to make it fail (ERR_STORE_UNAVAILABLE) on demand.

import { STORE_OPERATIONS, type Store } from '../../src/store/store.ts';

const ASYNC_METHODS = new Set<string>([...STORE_OPERATIONS, 'ready']);

/** `before(method, args)` runs (and may throw or wait) before each asynchronous call reaches the store. */
export function wrapStore(store: Store, before: (method: string, args: readonly unknown[]) => void | Promise<void>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      if (!ASYNC_METHODS.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        await before(property, args);
        return value.apply(target, args);
      };
    },
  });
}

/** A store that answers each call after a macrotask, like one over a network. */
export function withLatency(store: Store): Store {
  return wrapStore(store, () => new Promise<void>((resolve) => setImmediate(resolve)));
}
