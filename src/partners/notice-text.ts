// The words shoppers read about a provider going away at a shop: the partner's own notice when set,
// otherwise a default generated from the dates, in zh-CN or en. It says from when sign-in stops
// ("9月25日 0:00（北京时间）起停止支持微博登录", "stops … on 25 September 2013 at 00:00 (Beijing time)") —
// never "ends on the 25th", which reads as if the 25th still works — in the partner's zone, named in words.

import type { EpochMs } from '../clock.ts';
import type { Locale } from '../../providers/contract.ts';
import { naturalInstant } from '../time/natural-date.ts';
import type { Integration, Partner } from './partner.ts';
import { partnerName } from './partner.ts';

export function noticeText(
  partner: Partner,
  integration: Integration,
  providerLabel: Record<Locale, string>,
  locale: Locale,
  now: EpochMs,
): string | undefined {
  const custom = integration.notice?.[locale];
  if (custom) return custom;
  if (integration.cutoffAt === undefined) return undefined;
  const shop = partnerName(partner, locale);
  const provider = providerLabel[locale];
  const date = naturalInstant(integration.cutoffAt, partner.timeZone, locale, now);
  if (now >= integration.cutoffAt) {
    return locale === 'zh-CN'
      ? `${shop}已于${date}起停止支持${provider}登录。绑定另一种登录方式后，您可以继续使用同一个${shop}账号。`
      : `${provider} sign-in stopped at ${shop} on ${date}. Link another way to sign in to keep your ${shop} account.`;
  }
  return locale === 'zh-CN'
    ? `${shop}将于${date}起停止支持${provider}登录。请现在绑定另一种登录方式，以后仍可用同一个${shop}账号登录。`
    : `${provider} sign-in stops at ${shop} on ${date}. Link another way to sign in now to keep your ${shop} account.`;
}

/** Short form beside a button: "9月25日 0:00（北京时间）起停止" / "stops on 25 September 2013 at 00:00 (Beijing time)". */
export function noticeShort(partner: Partner, integration: Integration, locale: Locale, now?: EpochMs): string | undefined {
  if (integration.cutoffAt === undefined) return undefined;
  const date = naturalInstant(integration.cutoffAt, partner.timeZone, locale, now);
  return locale === 'zh-CN' ? `${date}起停止` : `stops on ${date}`;
}
