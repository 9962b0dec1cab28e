// How Denglu sends mail (verification and password-reset links): a Mailer takes a finished message.
// The transport is chosen by configuration: SMTP when MAIL_SMTP_URL is set, otherwise the sandbox
// outbox, which keeps messages in the store and shows them at /sandbox/outbox (production refuses it).

import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { outboxMailer } from './outbox.ts';
import { smtpMailer } from './smtp.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Extra header fields (List-Unsubscribe on notice mail); the sandbox outbox does not keep them. */
  headers?: Record<string, string>;
}

export interface Mailer {
  readonly transport: 'outbox' | 'smtp';
  send(message: MailMessage): Promise<void>;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL with credentials; undefined = the sandbox outbox. */
  smtpUrl: string | undefined;
  from: string;
  /** Require STARTTLS on smtp:// (production). */
  requireTls: boolean;
}

export function createMailer(config: MailConfig, store: Store, clock: Clock, log: Logger): Mailer {
  return config.smtpUrl ? smtpMailer(config.smtpUrl, config.from, config.requireTls, log) : outboxMailer(store, clock, config.from);
}

/**
 * Sends without making the caller wait for an SMTP server (its timing would tell whether an address is
 * known, e.g. on the reset form); failures are logged by the transport. The outbox is written at once.
 */
export async function dispatch(mailer: Mailer, message: MailMessage): Promise<void> {
  if (mailer.transport === 'outbox') return mailer.send(message);
  mailer.send(message).catch(() => undefined);
}
