// The SMS adapter this deployment uses (SMS_SENDER): the sandbox outbox, Aliyun SMS or Tencent Cloud SMS.

import { aliyunSender, type AliyunSmsConfig } from './aliyun-sms.ts';
import { sandboxSender } from './sandbox-sms.ts';
import type { SmsDeps, SmsSender } from './sender.ts';
import { tencentSender, type TencentSmsConfig } from './tencent-sms.ts';

export type SmsConfig = { sender: 'sandbox' } | ({ sender: 'aliyun' } & AliyunSmsConfig) | ({ sender: 'tencent' } & TencentSmsConfig);

export function createSmsSender(config: SmsConfig, d: SmsDeps): SmsSender {
  switch (config.sender) {
    case 'sandbox':
      return sandboxSender(d.store, d.clock);
    case 'aliyun':
      return aliyunSender(config, d);
    case 'tencent':
      return tencentSender(config, d);
  }
}
