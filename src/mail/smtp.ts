// The real mail transport: nodemailer over SMTP (MAIL_SMTP_URL, e.g. smtps://user:pass@smtp.example.com).
// nodemailer is the maintained, dependency-free standard for SMTP in Node (TLS, STARTTLS, auth, pooling);
// writing SMTP by hand would be worse. With `requireTls` a plain smtp:// server must offer STARTTLS.
// Failures are logged without the message text (it holds single-use links).

import nodemailer from 'nodemailer';
import type { Logger } from '../log.ts';
import type { Mailer } from './mailer.ts';

export function smtpMailer(url: string, from: string, requireTls: boolean, log: Logger): Mailer {
  // Options in the URL (host, port, auth, secure) win over these.
  const transport = nodemailer.createTransport(
    { url, requireTLS: requireTls, disableFileAccess: true, disableUrlAccess: true } as Parameters<typeof nodemailer.createTransport>[0],
    { from },
  );
  return {
    transport: 'smtp',
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.headers ? { headers: message.headers } : {}),
        });
      } catch (err) {
        log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'mail not sent');
        throw err;
      }
    },
  };
}
