// The words of the mail warning a shopper that a way of signing in ends at a shop, in zh-CN or en:
// the subject says what ends, where and from when ("Weibo sign-in at JD.com ends on 25 September 2013
// at 00:00 (Beijing time); link another way now" — the time given, so the day itself does not read as
// still working), the body repeats the shop's own notice (src/partners/notice-text.ts), links to the
// account page and to turning such mail off. The unsubscribe link is also in the List-Unsubscribe header
// with List-Unsubscribe-Post (RFC 8058 one-click: mail clients offer it, and large mailbox providers
// expect it of mail sent to many).

import type { Locale } from '../../providers/contract.ts';
import type { EpochMs } from '../clock.ts';
import type { MailMessage } from '../mail/mailer.ts';
import { noticeText } from '../partners/notice-text.ts';
import { partnerName, type Integration, type Partner } from '../partners/partner.ts';
import { naturalInstant } from '../time/natural-date.ts';

export interface NoticeMailInput {
  to: string;
  name: string;
  locale: Locale;
  partner: Partner;
  integration: Integration & { cutoffAt: EpochMs };
  providerLabel: Record<Locale, string>;
  accountUrl: string;
  unsubscribeUrl: string;
  now: EpochMs;
}

export function noticeMail(m: NoticeMailInput): MailMessage {
  const headers = { 'List-Unsubscribe': `<${m.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  const shop = partnerName(m.partner, m.locale);
  const provider = m.providerLabel[m.locale];
  const date = naturalInstant(m.integration.cutoffAt, m.partner.timeZone, m.locale, m.now);
  const notice = noticeText(m.partner, m.integration, m.providerLabel, m.locale, m.now) ?? '';
  if (m.locale === 'zh-CN') {
    return {
      to: m.to,
      headers,
      subject: `${shop}将于${date}起停止支持${provider}登录，请现在绑定另一种登录方式`,
      text: [
        `${m.name}，您好：`,
        '',
        notice,
        '',
        `请在您的账号页面绑定另一种登录方式（例如其他社交账号、密码或手机号）：`,
        m.accountUrl,
        '',
        `您收到这封邮件，是因为您曾用${provider}登录${shop}。不想再收到这类邮件：`,
        m.unsubscribeUrl,
      ].join('\n'),
    };
  }
  return {
    to: m.to,
    headers,
    subject: `${provider} sign-in at ${shop} ends on ${date}; link another way now`,
    text: [
      `Hello ${m.name},`,
      '',
      notice,
      '',
      'Link another way to sign in (another social account, a password or a phone number) on your account page:',
      m.accountUrl,
      '',
      `You get this mail because you have signed in to ${shop} with ${provider}. To stop mail like this:`,
      m.unsubscribeUrl,
    ].join('\n'),
  };
}
