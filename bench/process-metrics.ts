// A benchmark-only metrics endpoint for a server process, on its own port (the measured app is not
// touched): CPU time used, peak RSS, the longest event-loop stall and the longest garbage-collection
// pause (with its kind) since the last reset, and how long the event-loop thread ran and how long it was
// runnable but waiting for a core (Linux). `/stats` adds the server's own figures (`extra`), computed
// only when asked so they cost nothing while measuring; `/costs/start` and `/costs/stop` switch the
// per-route CPU accounting (bench/request-costs.ts) on and off and answer what it counted. The live heap
// (heap in use right after the last full collection) is what a leak shows in; `routes` adds a server's
// own read-only answers (the soak asks Denglu for its store figures and its outbox). In a process run
// with --expose-gc, `/gc` collects fully now and answers the live heap (the soak's leak series).

import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, monitorEventLoopDelay, PerformanceObserver, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import type { RequestCosts } from './request-costs.ts';

export interface ProcessMetrics {
  cpuMicros: number;
  maxRssBytes: number;
  rssBytes: number;
  maxStallMs: number;
  heapUsedBytes: number;
  /** V8's heap as reserved (used or not), and memory outside it (Buffers, ArrayBuffers, native objects). */
  heapTotalBytes: number;
  externalBytes: number;
  /** The longest single GC pause since the last reset, and what kind of collection it was. */
  maxGcPauseMs: number;
  maxGcKind: string;
  /** The event-loop thread's time on a core and its time runnable but waiting for one (Linux). */
  mainThread?: { runNs: number; waitNs: number };
  /** Heap in use just after the last mark-compact (0 before the first): garbage does not count. */
  liveHeapBytes: number;
  /** Mark-compact collections since the start. */
  fullGcs: number;
}

/** Heap in use and reserved, and memory outside V8's heap (one memoryUsage() call). */
function memoryParts(): { heapUsedBytes: number; heapTotalBytes: number; externalBytes: number } {
  const m = process.memoryUsage();
  return { heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external };
}

/** This process's main thread from the scheduler's side (`/proc/self/task/<tid>/schedstat`); Linux only. */
function mainThreadSchedule(): { runNs: number; waitNs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { runNs: run!, waitNs: wait! } : undefined;
  } catch {
    return undefined;
  }
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

export function serveMetrics(
  costs: RequestCosts,
  extra: () => Promise<Record<string, unknown>> = async () => ({}),
  routes: Record<string, (query: URLSearchParams) => Promise<unknown>> = {},
): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gc = { maxGcPauseMs: 0, maxGcKind: '' };
  const live = { liveHeapBytes: 0, fullGcs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as unknown as { detail: NodeGCPerformanceDetail }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        live.liveHeapBytes = getHeapStatistics().used_heap_size;
        live.fullGcs += 1;
      }
      if (entry.duration > gc.maxGcPauseMs) {
        gc.maxGcPauseMs = entry.duration;
        gc.maxGcKind = GC_KINDS[(entry as unknown as { detail: NodeGCPerformanceDetail }).detail.kind] ?? 'other';
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics');
    const collect = (globalThis as { gc?: () => void }).gc;
    if (url.pathname === '/gc' && collect) {
      collect();
      live.liveHeapBytes = getHeapStatistics().used_heap_size;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ liveHeapBytes: live.liveHeapBytes }));
      return;
    }
    const route = routes[url.pathname];
    if (route) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(await route(url.searchParams)));
      return;
    }
    if (req.url === '/costs/start' || req.url === '/costs/stop') {
      let body: object = {};
      if (req.url === '/costs/start') costs.start();
      else body = costs.stop();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
      return;
    }
    if (req.url === '/reset') {
      delay.reset();
      gc = { maxGcPauseMs: 0, maxGcKind: '' };
    }
    const cpu = process.cpuUsage();
    const mainThread = mainThreadSchedule();
    const body: ProcessMetrics & Record<string, unknown> = {
      cpuMicros: cpu.user + cpu.system,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      rssBytes: process.memoryUsage.rss(),
      maxStallMs: delay.max / 1e6,
      ...memoryParts(),
      ...gc,
      ...live,
      ...(mainThread ? { mainThread } : {}),
      ...(req.url === '/stats' ? await extra() : {}),
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
