// The gateway's request parameters: the URL's query (Alipay's SDKs put the public parameters there) and a
// form body whose percent-encoded bytes are text in the request's `charset` (utf-8 or GBK), so a GBK
// client's values arrive as it meant them. Body parameters are read as bytes first, then decoded.

import { decodeText } from './signature.ts';

/** `a=1&b=%E4%B8%AD` as raw bytes per value, decoded in `charset` (`+` is a space, as in any form). */
export function parseForm(raw: Buffer, charset: 'utf-8' | 'gbk'): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw.length === 0) return out;
  for (const pair of raw.toString('latin1').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeText(percentBytes(eq < 0 ? pair : pair.slice(0, eq)), charset);
    out[name] = decodeText(percentBytes(eq < 0 ? '' : pair.slice(eq + 1)), charset);
  }
  return out;
}

/** The bytes of one percent-encoded form component (`text` holds bytes as latin1 characters). */
function percentBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const hex = c === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(c === '+' ? 0x20 : c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/** The `charset` a request names, from its query or (ASCII either way) its body; utf-8 when none. */
export function requestCharset(query: URLSearchParams, raw: Buffer): string {
  return query.get('charset') ?? /(?:^|&)charset=([A-Za-z0-9-]{1,20})(?:&|$)/.exec(raw.toString('latin1'))?.[1] ?? 'utf-8';
}
