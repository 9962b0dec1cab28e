// Which proxies in front of the gateway are believed when they say, in X-Forwarded-For/-Proto/-Host,
// who the client is and whether it spoke https (TRUST_PROXY). The value is what express's `trust proxy`
// accepts: false (nobody), a hop count, or addresses, CIDR ranges and the names loopback, linklocal and
// uniquelocal. `true` (anybody) is refused: any client could then claim any address and scheme.

import { isIP } from 'node:net';

export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const text = (raw ?? '').trim();
  if (text === '' || /^(false|none|0)$/i.test(text)) return { value: false };
  if (/^true$/i.test(text)) {
    return {
      problem:
        'TRUST_PROXY=true would believe X-Forwarded-* headers from any client; name the proxies (e.g. loopback or 10.0.0.0/8) or give the number of proxy hops',
    };
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) return { problem: `TRUST_PROXY hop count must be from 1 to 10 (got ${text})` };
    return { value: hops };
  }
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const wrong = entries.filter((e) => !validEntry(e));
  if (wrong.length) {
    return {
      problem: `TRUST_PROXY must be loopback, linklocal, uniquelocal, addresses or CIDR ranges separated by commas, or a hop count (not understood: ${wrong.map((w) => JSON.stringify(w)).join(', ')})`,
    };
  }
  return { value: entries };
}

function validEntry(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [address, range, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address ?? '');
  if (family === 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4; // a netmask such as 255.255.255.0
}
