// Real mail: with MAIL_SMTP_URL set, verification mail goes out over SMTP (nodemailer) — here to a
// minimal SMTP server the test runs — in the shopper's language; without the sandbox the outbox page
// does not exist.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TestBrowser } from '../support/browser.ts';
import { loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountPage, openConsole } from './native-support.ts';

interface Received {
  from: string;
  to: string[];
  data: string;
}

/** Just enough SMTP (RFC 5321) to accept mail: greeting, EHLO, MAIL, RCPT, DATA, QUIT. */
function fakeSmtp(): Promise<{ server: Server; port: number; mail: Received[] }> {
  const mail: Received[] = [];
  const server = createServer((socket) => {
    let current: Received = { from: '', to: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 fake.smtp.test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          mail.push(current);
          current = { from: '', to: [], data: '' };
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-fake.smtp.test\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') {
          current.from = line;
          socket.write('250 2.1.0 ok\r\n');
        } else if (verb === 'RCPT') {
          current.to.push(line);
          socket.write('250 2.1.5 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, mail })));
}

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
