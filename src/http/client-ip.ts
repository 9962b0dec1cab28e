// The address a request came from, as express reports it (`req.ip`: the socket's address unless the
// operator trusts a proxy, see `trust proxy`), and the key Denglu's per-address limits count it under
// (express-rate-limit's: an IPv4 address, or the IPv6 /56 it belongs to, so one host cannot dodge a
// limit by walking its own IPv6 prefix).

import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';

export function clientIp(req: IncomingMessage & { ip?: string | undefined }): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function clientIpKey(req: IncomingMessage & { ip?: string | undefined }): string {
  const ip = clientIp(req);
  return ip === 'unknown' ? ip : ipKeyGenerator(ip);
}
