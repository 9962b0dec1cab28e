// A benchmark-only metrics endpoint for a server process, on its own port (the measured app is not
// touched): CPU time used, peak RSS and the longest event-loop stall since the last reset. `/stats`
// adds the server's own figures (`extra`), computed only when asked so they cost nothing while measuring.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessMetrics {
  cpuMicros: number;
  maxRssBytes: number;
  rssBytes: number;
  maxStallMs: number;
  heapUsedBytes: number;
}

export function serveMetrics(extra: () => Promise<Record<string, unknown>> = async () => ({})): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const server = createServer(async (req, res) => {
    if (req.url === '/reset') delay.reset();
    const cpu = process.cpuUsage();
    const body: ProcessMetrics & Record<string, unknown> = {
      cpuMicros: cpu.user + cpu.system,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      rssBytes: process.memoryUsage.rss(),
      maxStallMs: delay.max / 1e6,
      heapUsedBytes: process.memoryUsage().heapUsed,
      ...(req.url === '/stats' ? await extra() : {}),
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
