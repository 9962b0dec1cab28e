// How Denglu sends text messages: a sender takes a recipient (E.164), one of Denglu's templates, its
// parameters and the shopper's language. The adapter is chosen by configuration (SMS_SENDER): the
// sandbox outbox (texts shown at /sandbox/outbox), Aliyun SMS or Tencent Cloud SMS. A refusal by the
// service is an SmsError saying what it means for the shopper: the number cannot get texts, the service's
// own limits for that number were reached, or sending does not work now (credentials, balance, network).
// src/sms/create-sender.ts picks the adapter.

import type { Locale } from '../../providers/contract.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';

/** Denglu's text messages. `verify-code` takes `{ code }` (its template says the code lasts 5 minutes). */
export type SmsTemplate = 'verify-code';

export interface SmsSender {
  readonly transport: 'sandbox' | 'aliyun' | 'tencent';
  send(to: string, templateId: SmsTemplate, params: Record<string, string>, locale: Locale): Promise<void>;
}

export type SmsFailure = 'numberInvalid' | 'limited' | 'unavailable';

export class SmsError extends Error {
  readonly kind: SmsFailure;
  /** The service's own error code (for the log; never shown to shoppers). */
  readonly serviceCode: string;
  constructor(kind: SmsFailure, serviceCode: string, message: string) {
    super(message);
    this.name = 'SmsError';
    this.kind = kind;
    this.serviceCode = serviceCode;
  }
}

export interface SmsDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Deadline of a call to the SMS service. */
  timeoutMs: number;
}
