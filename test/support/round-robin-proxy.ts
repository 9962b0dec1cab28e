// A small load balancer for multi-instance tests, in process (node:http): each request goes to the next
// instance in turn, with its method, path, Host and every other header unchanged, and the proxy records
// which instance served it. Like nginx's passive health check with `proxy_next_upstream error`, an
// instance refusing the connection is skipped for a while and the request (its body buffered) goes to the
// next one; so does a GET or HEAD whose connection is cut before the answer's headers (an instance killed
// as the request reached it). A POST cut after it was sent is a 502, as nginx answers: it may have taken
// effect. A test may pin requests to an instance with `route`.

import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  method: string;
  path: string;
  /** Index of the instance that answered; -1 when none could. */
  instance: number;
  status: number;
}

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Ports of the instances, in order; may be set after the proxy starts (the issuer needs its port first). */
  targets: number[];
  /** Every answered request, in order of arrival. */
  readonly served: Served[];
  /** Chooses the instance for a request (by index); undefined: round robin. */
  route: ((req: IncomingMessage) => number | undefined) | undefined;
  /** The instances that served requests whose path starts with `prefix`, in order. */
  servedBy(prefix: string, method?: string): number[];
  close(): Promise<void>;
}

/** Methods nginx passes to the next instance even after the request was sent (proxy_next_upstream). */
const IDEMPOTENT = new Set(['GET', 'HEAD']);

/** How long an instance that refused a connection is left out of the rotation. */
const DOWN_MS = 2000;

export interface ProxyOptions {
  /** Port to listen on (default: a free one), on 127.0.0.1. */
  port?: number;
  /** Called for every answered request (scripts/round-robin-proxy.ts prints it). */
  onServed?: (served: Served) => void;
}

export async function startRoundRobinProxy(targets: number[] = [], options: ProxyOptions = {}): Promise<RoundRobinProxy> {
  let next = 0;
  const downUntil = new Map<number, number>();
  const served: Served[] = [];

  const pick = (req: IncomingMessage, tried: Set<number>): number | undefined => {
    const pinned = proxy.route?.(req);
    if (pinned !== undefined) return tried.has(pinned) ? undefined : pinned;
    const count = proxy.targets.length;
    for (let i = 0; i < count; i++) {
      const candidate = (next + i) % count;
      if (tried.has(candidate) || (downUntil.get(candidate) ?? 0) > Date.now()) continue;
      next = (candidate + 1) % count;
      return candidate;
    }
    // Every instance is marked down: try those not tried yet anyway (one may be back).
    for (let i = 0; i < count; i++) if (!tried.has(i)) return i;
    return undefined;
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away before its request was whole
    }
    const body = Buffer.concat(chunks);
    const record = (instance: number, status: number) => {
      const entry = { method: req.method!, path: req.url!, instance, status };
      served.push(entry);
      options.onServed?.(entry);
    };
    const tried = new Set<number>();
    const attempt = (): void => {
      const instance = pick(req, tried);
      if (instance === undefined) {
        record(-1, 502);
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no instance answered');
        return;
      }
      tried.add(instance);
      let sent = false;
      let answered = false;
      const upstream = httpRequest(
        { host: '127.0.0.1', port: proxy.targets[instance], agent: false, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          answered = true;
          record(instance, answer.statusCode ?? 0);
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('socket', (socket) => socket.once('connect', () => (sent = true)));
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        const refused = !sent && (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET');
        if (!answered && (refused || IDEMPOTENT.has(req.method ?? ''))) {
          downUntil.set(instance, Date.now() + DOWN_MS);
          return attempt();
        }
        if (res.headersSent) return res.destroy();
        record(instance, 502);
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`instance ${instance} failed: ${err.code ?? err.message}`);
      });
      upstream.end(body);
    };
    attempt();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: RoundRobinProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    targets,
    served,
    route: undefined,
    servedBy: (prefix, method) => served.filter((s) => s.path.startsWith(prefix) && (!method || s.method === method)).map((s) => s.instance),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
