// Real mail: with MAIL_SMTP_URL set, verification mail goes out over SMTP (nodemailer) — here to a
// minimal SMTP server the test runs — in the shopper's language; without the sandbox the outbox page
// does not exist.

import assert from 'node:assert/strict';
import { fakeSmtp } from '../support/fake-smtp.ts';
import { TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountPage, openConsole } from './native-support.ts';

describe('native sign-in: mail over SMTP, outside the sandbox', function () {
  let gw: Gateway;
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;

  before(async () => {
    smtp = await fakeSmtp();
    gw = await startGateway({
      clock: new ManualClock('2013-09-01T10:00:00+08:00'),
      env: { SANDBOX: 'false', MAIL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Denglu <no-reply@denglu.test>' },
    });
  });
  after(async () => {
    await gw.close();
    smtp.server.close();
  });

  it("sends the verification mail in the shopper's language through the SMTP server", async () => {
    const browser = new TestBrowser(); // zh-CN first
    await loginWith(gw, browser, 'alpha-basic', 'weibo', 'mailer');
    await openConsole(gw, browser, 'weibo', 'mailer');
    const sent = await browser.submit(await accountPage(gw, browser), { email: 'mailer@example.com' }, '/account/email');
    assert.equal(sent.url.search, '?notice=emailSent');
    assert.equal(smtp.mail.length, 1);
    const [mail] = smtp.mail;
    assert.match(mail!.from, /no-reply@denglu\.test/);
    assert.match(mail!.to[0]!, /mailer@example\.com/);
    assert.match(mail!.data, /Subject: =\?UTF-8\?/, 'a Chinese subject, encoded');
    const body = mail!.data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    const link = /(http:\/\/\S+\/account\/email\/verify\?token=[\w-]{43})/.exec(body)?.[1];
    assert.ok(link, 'the link is in the mail');
    const confirm = await browser.go(link);
    const done = await browser.submit(confirm, {}, '/account/email/verify');
    assert.match(done.html, /data-email="mailer@example.com"/);
  });

  it('serves no outbox without the sandbox', async () => {
    const res = await new TestBrowser().request('GET', `${gw.issuer}/sandbox/outbox`);
    assert.equal(res.status, 404);
  });
});
