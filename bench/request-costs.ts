// What each request of a login costs a server, by route: for the benchmark's cost breakdown, run at
// concurrency 1 after the measured rounds. Only a request that ran alone counts (no other request
// started before it finished), so the process's CPU while it ran is its own: the main thread's, read
// exactly (getrusage RUSAGE_SELF brings the calling thread up to date), plus what other threads did for
// it meanwhile (the RSA signature on libuv's pool, GC helpers). Work done later on its behalf is not in
// it. (process.threadCpuUsage() is not used: the kernel updates a thread's own figure only at ticks
// and context switches, so a sub-millisecond request reads as less than it cost.) Switched on and off
// through the metrics port; off, it costs one branch per request.

import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';

export interface RouteCost {
  requests: number;
  cpuMs: number;
}

/** `/auth/<uid>` → `/auth/:uid`: random path segments (ids, uids) folded so routes group. */
export function routeOf(url: string): string {
  const path = url.split('?', 1)[0]!;
  return path.replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:id');
}

const processCpuMs = () => {
  const u = process.cpuUsage();
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
    const before = processCpuMs();
    this.#inFlight++;
    res.once('close', () => {
      this.#inFlight--;
      if (!alone || this.#started !== startedAs || !this.enabled) return;
      const cost = this.#routes.get(route) ?? { requests: 0, cpuMs: 0 };
      cost.requests++;
      cost.cpuMs += processCpuMs() - before;
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

/** A benchmark server process's HTTP server for `app`, every request seen first by the cost accounting. */
export function serverWithCosts(app: RequestListener): { server: Server; costs: RequestCosts } {
  const costs = new RequestCosts();
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    costs.track(req, res);
    app(req, res);
  });
  return { server, costs };
}
