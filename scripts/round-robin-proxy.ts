// A round-robin proxy for trying several instances on one machine without nginx (README "Several
// instances on PostgreSQL"): `npx tsx scripts/round-robin-proxy.ts <port> <instance port>…` listens on
// 127.0.0.1:<port>, sends each request to the next instance and prints which one served it. Not for
// production: it buffers request bodies, terminates no TLS and sets no X-Forwarded-* headers.

import { startRoundRobinProxy } from '../test/support/round-robin-proxy.ts';

const [port, ...targets] = process.argv.slice(2).map(Number);
if (!port || targets.length === 0 || targets.some((t) => !Number.isInteger(t) || t < 1 || t > 65535)) {
  process.stderr.write('usage: npx tsx scripts/round-robin-proxy.ts <port> <instance port> [<instance port> …]\n');
  process.exit(2);
}
const proxy = await startRoundRobinProxy(targets, {
  port,
  onServed: (s) => process.stdout.write(`${s.instance < 0 ? 'none ' : `:${targets[s.instance]}`} ${s.status} ${s.method} ${s.path.split('?')[0]}\n`),
});
process.stdout.write(`round robin on ${proxy.url} over ${targets.map((t) => `127.0.0.1:${t}`).join(', ')}; Ctrl-C stops it\n`);
process.on('SIGINT', () => void proxy.close().then(() => process.exit(0)));
