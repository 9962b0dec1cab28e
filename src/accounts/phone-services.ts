// The phone sign-in's parts, built once at start when the deployment can send texts (SMS_SENDER): the
// SMS sender and the code book (shared with the mailed codes, see src/app.ts).

import type { Config } from '../../config/load-config.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { createSmsSender } from '../sms/create-sender.ts';
import type { PhoneDeps } from './phone-credentials.ts';
import type { CodeBook } from './verification-codes.ts';

export function phoneServices(config: Config, d: { store: Store; clock: Clock; log: Logger; codes: CodeBook }): PhoneDeps | undefined {
  if (!config.sms) return undefined;
  const sms = createSmsSender(config.sms, { store: d.store, clock: d.clock, log: d.log, timeoutMs: config.upstream.timeoutMs });
  return { ...d, sms, limits: config.limits.sms };
}
