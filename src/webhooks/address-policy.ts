// Where webhooks may be sent (SSRF): in production only https URLs whose host resolves to public
// addresses; loopback, private, link-local, CGNAT, multicast and other special ranges are refused unless
// the deployment allows private addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES, on by default outside
// production so the sandbox's demo shops on localhost receive theirs, where http is allowed too).
// The address check runs when the connection is made (the `lookup` of the request), so a DNS answer
// that changes after registration (rebinding) is still caught.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookAddressPolicy {
  /** Allow private and loopback addresses and plain http (sandbox, or an explicit deployment choice). */
  allowPrivate: boolean;
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is one a production gateway must not call. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && (address === '::' || address === '0:0:0:0:0:0:0:0')) return true;
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return BLOCKED.check(v4, 'ipv4');
  }
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The rules a webhook URL can break, as the admin API words them (Chinese: src/admin/problem-text.ts). */
export const URL_RULES = {
  absolute: 'must be an absolute URL',
  https: 'must be an https URL',
  userInfo: 'must not contain user info',
  fragment: 'must not contain a fragment',
  privateAddress: 'must not name a private, loopback or reserved address',
} as const;

/** Why `raw` cannot be a webhook URL under `policy`, or undefined when it can (checked at registration). */
export function webhookUrlProblem(raw: string, policy: WebhookAddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return URL_RULES.absolute;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowPrivate)) return URL_RULES.https;
  if (url.username || url.password) return URL_RULES.userInfo;
  if (url.hash) return URL_RULES.fragment;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) return URL_RULES.privateAddress;
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) return URL_RULES.privateAddress;
  return undefined;
}

/** A DNS lookup for outbound requests that fails on addresses the policy refuses. */
export function guardedLookup(policy: WebhookAddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = policy.allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves only to private or reserved addresses`), { code: 'ERR_WEBHOOK_ADDRESS' });
        return callback(refused, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
