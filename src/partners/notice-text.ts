// The words shoppers read about a provider going away at a shop: the partner's own notice when set,
// otherwise a default generated from the dates, in zh-CN or en, dates shown in the partner's zone.

import type { EpochMs } from '../clock.ts';
import type { Locale } from '../../providers/contract.ts';
import { formatInstant } from '../time/instant.ts';
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
  const date = formatInstant(integration.cutoffAt, partner.timeZone, locale);
  if (now >= integration.cutoffAt) {
    return locale === 'zh-CN'
      ? `${shop}已于 ${date} 停止支持${provider}登录。绑定另一种登录方式后，你可以继续使用同一个${shop}帐号。`
      : `Signing in to ${shop} with ${provider} ended on ${date}. Link another way to sign in to keep your ${shop} account.`;
  }
  return locale === 'zh-CN'
    ? `${shop}将于 ${date} 停止支持${provider}登录。请现在绑定另一种登录方式，以后仍可用同一个${shop}帐号登录。`
    : `Signing in to ${shop} with ${provider} ends on ${date}. Link another way to sign in now to keep your ${shop} account.`;
}

/** Short form for a chooser button: "ends 25 September 2013". */
export function noticeShort(partner: Partner, integration: Integration, locale: Locale): string | undefined {
  if (integration.cutoffAt === undefined) return undefined;
  const date = formatInstant(integration.cutoffAt, partner.timeZone, locale, 'date');
  return locale === 'zh-CN' ? `将于 ${date} 停止` : `ends ${date}`;
}
