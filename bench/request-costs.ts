// What each request of a login costs a server's main thread, by route: for the benchmark's cost
// breakdown, run at concurrency 1 after the measured rounds. Only a request that ran alone counts (no
// other request started before it finished), so its thread CPU is its own; work done later on its
// behalf (a background write) is not in it, nor are other threads (the RSA signature runs on libuv's
// pool). Switched on and off through the metrics port; off, it costs one branch per request.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteCost {
  requests: number;
  cpuMs: number;
}

/** `/auth/<uid>` → `/auth/:uid`: random path segments (ids, uids) folded so routes group. */
export function routeOf(url: string): string {
  const path = url.split('?', 1)[0]!;
  return path.replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:id');
}

const threadCpuMs = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

export class RequestCosts {
  enabled = false;
  #inFlight = 0;
  #started = 0;
  readonly #routes = new Map<string, RouteCost>();

  /** Call first thing for every request. */
  track(req: IncomingMessage, res: ServerResponse): void {
    if (!this.enabled) return;
    const route = routeOf(req.url ?? '/');
    const alone = this.#inFlight === 0;
    const startedAs = ++this.#started;
    const before = threadCpuMs();
    this.#inFlight++;
    res.once('close', () => {
      this.#inFlight--;
      if (!alone || this.#started !== startedAs || !this.enabled) return;
      const cost = this.#routes.get(route) ?? { requests: 0, cpuMs: 0 };
      cost.requests++;
      cost.cpuMs += threadCpuMs() - before;
      this.#routes.set(route, cost);
    });
  }

  start(): void {
    this.#routes.clear();
    this.enabled = true;
  }

  stop(): Record<string, RouteCost> {
    this.enabled = false;
    return Object.fromEntries(this.#routes);
  }
}
