// Notice mail over SMTP: the message leaves with its unsubscribe link in List-Unsubscribe and the
// one-click marker in List-Unsubscribe-Post (RFC 8058), besides the link in the text.

import assert from 'node:assert/strict';
import { sandboxPartners } from '../../config/sandbox-seed.ts';
import { createLogger } from '../../src/log.ts';
import { smtpMailer } from '../../src/mail/smtp.ts';
import { noticeMail } from '../../src/notice-mail/notice-mail-text.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { fakeSmtp } from '../support/fake-smtp.ts';

describe('notice mail: over SMTP', () => {
  it('carries List-Unsubscribe and List-Unsubscribe-Post', async () => {
    const smtp = await fakeSmtp();
    try {
      const jd = { ...sandboxPartners({ jd: 'https://jd.shop.test', taobao: 'https://taobao.shop.test' })[0]!, createdAt: 0, updatedAt: 0 } as Partner;
      const weibo = jd.integrations.find((i) => i.provider === 'weibo')!;
      const unsubscribeUrl = `https://denglu.test/notice-mail/unsubscribe?token=${'t'.repeat(200)}`;
      const message = noticeMail({
        to: 'shopper@example.com',
        name: 'Shopper',
        locale: 'en',
        partner: jd,
        integration: { ...weibo, cutoffAt: weibo.cutoffAt! },
        providerLabel: { 'zh-CN': '微博', en: 'Weibo' },
        accountUrl: 'https://denglu.test/account?ui_locales=en',
        unsubscribeUrl,
        now: Date.parse('2013-09-20T10:00:00+08:00'),
      });
      await smtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'Denglu <no-reply@denglu.test>', false, createLogger({ level: 'silent' })).send(message);
      assert.equal(smtp.mail.length, 1);
      const head = smtp.mail[0]!.data.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
      assert.match(head, /^List-Unsubscribe: <(.+)>$/m);
      assert.equal(/^List-Unsubscribe: <(.+)>$/m.exec(head)?.[1]?.replace(/\s/g, ''), unsubscribeUrl);
      assert.match(head, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      assert.match(head, /^Subject: .*Weibo sign-in at JD/m);
    } finally {
      smtp.server.close();
    }
  });
});
