// A benchmark-only metrics endpoint for a server process, on its own port (the measured app is not
// touched): CPU time used, peak RSS, the longest event-loop stall and the longest garbage-collection
// pause (with its kind) since the last reset, and how long the event-loop thread ran and how long it was
// runnable but waiting for a core (Linux). `/stats` adds the server's own figures (`extra`), computed
// only when asked so they cost nothing while measuring; `/costs/start` and `/costs/stop` switch the
// per-route CPU accounting (bench/request-costs.ts) on and off and answer what it counted.

import { readFileSync } from 'node:fs';
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
  /** The longest single GC pause since the last reset, and what kind of collection it was. */
  maxGcPauseMs: number;
  maxGcKind: string;
  /** The event-loop thread's time on a core and its time runnable but waiting for one (Linux). */
  mainThread?: { runNs: number; waitNs: number };
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

export function serveMetrics(costs: RequestCosts, extra: () => Promise<Record<string, unknown>> = async () => ({})): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gc = { maxGcPauseMs: 0, maxGcKind: '' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration > gc.maxGcPauseMs) {
        gc.maxGcPauseMs = entry.duration;
        gc.maxGcKind = GC_KINDS[((entry as unknown as { detail: NodeGCPerformanceDetail }).detail).kind] ?? 'other';
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const server = createServer(async (req, res) => {
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
      heapUsedBytes: process.memoryUsage().heapUsed,
      ...gc,
      ...(mainThread ? { mainThread } : {}),
      ...(req.url === '/stats' ? await extra() : {}),
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
