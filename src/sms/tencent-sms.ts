// Tencent Cloud SMS (API version 2021-01-11): SendSms as a JSON POST signed with TC3-HMAC-SHA256 as
// Tencent Cloud documents it: a canonical request (method, path `/`, empty query, the content-type and
// host headers, the SHA-256 of the body), a string to sign naming the date and service, and a key derived
// by HMAC-SHA256 chaining `TC3` + SecretKey → date → service → `tc3_request`. The text is the registered
// template (TemplateId) under the registered signature (SignName) of the SMS application (SmsSdkAppId),
// with the code as its first parameter ({1}). Per-number refusals come back in SendStatusSet.

import { createHash, createHmac } from 'node:crypto';
import type { SmsDeps, SmsSender } from './sender.ts';
import { SmsError, type SmsFailure } from './sender.ts';
import { postOrGetJson, serviceMessage } from './sms-http.ts';

export interface TencentSmsConfig {
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId of the SMS application. */
  appId: string;
  signName: string;
  templateId: string;
  region: string;
  /** https://sms.tencentcloudapi.com, or a test double. */
  baseUrl: string;
}

export const TENCENT_SMS_BASE_URL = 'https://sms.tencentcloudapi.com';
const CONTENT_TYPE = 'application/json; charset=utf-8';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  /** Unix seconds. */
  timestamp: number;
  payload: string;
}

/** The Authorization header of a TC3-HMAC-SHA256 signed JSON POST to `/`. */
export function tc3Authorization(i: Tc3Input): string {
  const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();
  const signedHeaders = 'content-type;host';
  const canonicalRequest = ['POST', '/', '', `content-type:${CONTENT_TYPE}`, `host:${i.host}`, '', signedHeaders, sha256(i.payload)].join('\n');
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const FAILURES: Record<string, SmsFailure> = {
  'InvalidParameterValue.IncorrectPhoneNumber': 'numberInvalid',
  'FailedOperation.PhoneNumberInBlacklist': 'numberInvalid',
  'FailedOperation.PhoneNumberParseFail': 'numberInvalid',
  'LimitExceeded.PhoneNumberDailyLimit': 'limited',
  'LimitExceeded.PhoneNumberOneHourLimit': 'limited',
  'LimitExceeded.PhoneNumberThirtySecondLimit': 'limited',
  'LimitExceeded.PhoneNumberSameContentDailyLimit': 'limited',
  'LimitExceeded.DeliveryFrequencyLimit': 'limited',
};

const refusal = (code: string, message: unknown) =>
  new SmsError(FAILURES[code] ?? 'unavailable', code, `Tencent Cloud SMS refused the text: ${code} ${serviceMessage(message)}`);

export function tencentSender(config: TencentSmsConfig, d: SmsDeps): SmsSender {
  const host = new URL(config.baseUrl).host;
  return {
    transport: 'tencent',
    async send(to, _templateId, params) {
      const payload = JSON.stringify({
        PhoneNumberSet: [to],
        SmsSdkAppId: config.appId,
        SignName: config.signName,
        TemplateId: config.templateId,
        TemplateParamSet: Object.values(params),
      });
      // The service checks its own (real) time: the machine's clock, not a simulated one.
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        Authorization: tc3Authorization({ secretId: config.secretId, secretKey: config.secretKey, service: 'sms', host, timestamp, payload }),
        'Content-Type': CONTENT_TYPE,
        'X-TC-Action': 'SendSms',
        'X-TC-Timestamp': String(timestamp),
        'X-TC-Version': '2021-01-11',
        'X-TC-Region': config.region,
      };
      const body = (await postOrGetJson(`${config.baseUrl}/`, { method: 'POST', headers, body: payload }, d.timeoutMs, 'tencent')) as {
        Response?: { Error?: { Code?: unknown; Message?: unknown }; SendStatusSet?: { Code?: unknown; Message?: unknown }[] };
      };
      const response = body.Response;
      if (response?.Error) throw refusal(String(response.Error.Code ?? 'NoCode'), response.Error.Message);
      const status = response?.SendStatusSet?.[0];
      if (!status) throw refusal('NoSendStatus', 'no status for the number');
      if (status.Code !== 'Ok') throw refusal(String(status.Code ?? 'NoCode'), status.Message);
    },
  };
}
