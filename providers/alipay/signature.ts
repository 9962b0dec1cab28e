// Alipay's open API signatures, as Alipay documents them and its official SDKs compute them: a request
// is signed over its parameters except `sign`, sorted by name, as `k=v` joined with `&` (empty values
// left out); an answer is signed over the exact JSON text of its `*_response` member. `RSA2` is
// SHA256withRSA, `RSA` SHA1withRSA; the text is encoded in the request's `charset` before signing.
// The RSA work is Node's crypto; GBK text is encoded and decoded by iconv-lite.

import { sign, verify, type KeyObject } from 'node:crypto';
import iconv from 'iconv-lite';

export type SignType = 'RSA2' | 'RSA';

const ALGORITHM: Record<SignType, string> = { RSA2: 'sha256', RSA: 'sha1' };

export function isSignType(value: unknown): value is SignType {
  return value === 'RSA2' || value === 'RSA';
}

/** Charsets Alipay's gateway takes (`utf-8`, `gbk`, in any case; `gb2312` read as GBK). */
export function knownCharset(value: string): 'utf-8' | 'gbk' | undefined {
  const lower = value.toLowerCase();
  if (lower === 'utf-8' || lower === 'utf8') return 'utf-8';
  if (lower === 'gbk' || lower === 'gb2312') return 'gbk';
  return undefined;
}

export function encodeText(text: string, charset: 'utf-8' | 'gbk'): Buffer {
  return charset === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gbk');
}

export function decodeText(bytes: Buffer, charset: 'utf-8' | 'gbk'): string {
  return charset === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, 'gbk');
}

/** The text a request signature covers. */
export function requestSignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function signText(text: string, key: KeyObject, signType: SignType, charset: 'utf-8' | 'gbk' = 'utf-8'): string {
  return sign(ALGORITHM[signType], encodeText(text, charset), key).toString('base64');
}

export function verifyText(text: string, signature: string, key: KeyObject, signType: SignType, charset: 'utf-8' | 'gbk' = 'utf-8'): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  return verify(ALGORITHM[signType], encodeText(text, charset), key, Buffer.from(signature, 'base64'));
}
