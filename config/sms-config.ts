// The SMS settings (SMS_SENDER and the chosen service's credentials) turned into an SmsConfig, or none:
// without a sender the `phone` sign-in method is not configured, and partners listing it do not offer it
// (fail closed). The sandbox sender is the default outside production and refused in production.

import type { SmsConfig } from '../src/sms/create-sender.ts';
import { ALIYUN_SMS_BASE_URL } from '../src/sms/aliyun-sms.ts';
import { TENCENT_SMS_BASE_URL } from '../src/sms/tencent-sms.ts';

export function parseSmsConfig(
  env: Record<string, string | undefined>,
  o: { production: boolean; sandbox: boolean },
  problems: string[],
  url: (name: string, raw: string) => string | undefined,
): SmsConfig | undefined {
  const sender = env.SMS_SENDER || (o.sandbox ? 'sandbox' : '');
  if (!sender) return undefined;
  const required = (names: string[]): Record<string, string> => {
    const missing = names.filter((n) => !env[n]);
    if (missing.length) problems.push(`SMS_SENDER=${sender} needs ${missing.join(', ')}`);
    return Object.fromEntries(names.map((n) => [n, env[n] ?? '']));
  };
  const base = (name: string, fallback: string) => {
    const raw = env[name];
    const value = raw ? url(name, raw) : fallback;
    if (value && o.production && !value.startsWith('https://')) problems.push(`${name} must be an https URL in production (got ${value})`);
    return value ?? fallback;
  };
  switch (sender) {
    case 'sandbox':
      if (o.production) problems.push('SMS_SENDER=sandbox is refused in production (the sandbox outbox sends no text): use aliyun or tencent');
      return { sender: 'sandbox' };
    case 'aliyun': {
      const v = required(['SMS_ALIYUN_ACCESS_KEY_ID', 'SMS_ALIYUN_ACCESS_KEY_SECRET', 'SMS_SIGN_NAME', 'SMS_TEMPLATE_ID']);
      return {
        sender: 'aliyun',
        accessKeyId: v.SMS_ALIYUN_ACCESS_KEY_ID!,
        accessKeySecret: v.SMS_ALIYUN_ACCESS_KEY_SECRET!,
        signName: v.SMS_SIGN_NAME!,
        templateCode: v.SMS_TEMPLATE_ID!,
        baseUrl: base('SMS_ALIYUN_BASE_URL', ALIYUN_SMS_BASE_URL),
      };
    }
    case 'tencent': {
      const v = required(['SMS_TENCENT_SECRET_ID', 'SMS_TENCENT_SECRET_KEY', 'SMS_TENCENT_APP_ID', 'SMS_SIGN_NAME', 'SMS_TEMPLATE_ID']);
      const region = env.SMS_TENCENT_REGION || 'ap-guangzhou';
      if (!/^[a-z]+-[a-z]+$/.test(region)) problems.push(`SMS_TENCENT_REGION must be a region like ap-guangzhou (got ${JSON.stringify(region)})`);
      return {
        sender: 'tencent',
        secretId: v.SMS_TENCENT_SECRET_ID!,
        secretKey: v.SMS_TENCENT_SECRET_KEY!,
        appId: v.SMS_TENCENT_APP_ID!,
        signName: v.SMS_SIGN_NAME!,
        templateId: v.SMS_TEMPLATE_ID!,
        region,
        baseUrl: base('SMS_TENCENT_BASE_URL', TENCENT_SMS_BASE_URL),
      };
    }
    default:
      problems.push(`SMS_SENDER must be sandbox, aliyun or tencent (got ${JSON.stringify(sender)})`);
      return undefined;
  }
}
