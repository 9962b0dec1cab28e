// Aliyun SMS (dysmsapi, API version 2017-05-25): SendSms as an RPC-style GET, signed as Aliyun documents
// for its RPC APIs: the parameters sorted by name, each name and value percent-encoded (RFC 3986: only
// A-Z a-z 0-9 - _ . ~ left as they are), joined into the canonicalised query; the string to sign is
// `GET&%2F&` + that query encoded once more; the signature is base64(HMAC-SHA1(AccessKeySecret + "&")).
// The text is the registered template (TemplateCode) under the registered signature (SignName), with the
// code in TemplateParam as JSON. Mainland numbers go without +86, others as country code and number.

import { createHmac, randomUUID } from 'node:crypto';
import type { SmsDeps, SmsSender } from './sender.ts';
import { SmsError, type SmsFailure } from './sender.ts';
import { postOrGetJson, serviceMessage } from './sms-http.ts';

export interface AliyunSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  /** https://dysmsapi.aliyuncs.com, or a test double. */
  baseUrl: string;
}

export const ALIYUN_SMS_BASE_URL = 'https://dysmsapi.aliyuncs.com';

/** Aliyun's percent-encoding: encodeURIComponent, plus the five characters it leaves alone that RFC 3986 reserves. */
export function aliyunEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalised query string of `params` (sorted by name, encoded). */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
}

/** The `Signature` parameter of an RPC request (base64, not yet URL-encoded). */
export function aliyunSignature(accessKeySecret: string, method: 'GET' | 'POST', params: Record<string, string>): string {
  const stringToSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(aliyunCanonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** PhoneNumbers as Aliyun takes them: 11 digits for mainland China, country code + number elsewhere. */
export function aliyunNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

const FAILURES: Record<string, SmsFailure> = {
  'isv.MOBILE_NUMBER_ILLEGAL': 'numberInvalid',
  'isv.MOBILE_COUNT_OVER_LIMIT': 'numberInvalid',
  'isv.BLACK_KEY_CONTROL_LIMIT': 'numberInvalid',
  'isv.BUSINESS_LIMIT_CONTROL': 'limited',
  'isv.DAY_LIMIT_CONTROL': 'limited',
};

export function aliyunSender(config: AliyunSmsConfig, d: SmsDeps): SmsSender {
  return {
    transport: 'aliyun',
    async send(to, _templateId, params) {
      const query: Record<string, string> = {
        AccessKeyId: config.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: aliyunNumber(to),
        RegionId: 'cn-hangzhou',
        SignName: config.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: config.templateCode,
        TemplateParam: JSON.stringify(params),
        // The service checks its own (real) time: the machine's clock, not a simulated one.
        Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
      };
      const signature = aliyunSignature(config.accessKeySecret, 'GET', query);
      const url = `${config.baseUrl}/?Signature=${aliyunEncode(signature)}&${aliyunCanonicalQuery(query)}`;
      const body = (await postOrGetJson(url, { method: 'GET' }, d.timeoutMs, 'aliyun')) as { Code?: unknown; Message?: unknown };
      const code = typeof body.Code === 'string' ? body.Code : 'NoCode';
      if (code === 'OK') return;
      throw new SmsError(FAILURES[code] ?? 'unavailable', code, `Aliyun SMS refused the text: ${code} ${serviceMessage(body.Message)}`);
    },
  };
}
