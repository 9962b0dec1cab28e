// The sandbox outbox: instead of sending, mail is kept in the ephemeral store for a day and listed,
// newest first, on /sandbox/outbox, so verification and reset links can be followed without a mail
// server. Only the sandbox serves the page; production refuses this transport. The sandbox SMS sender
// keeps its texts here too (`kind: 'sms'`, src/sms/sandbox-sms.ts).

import { randomBytes } from 'node:crypto';
import type { Clock, EpochMs } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { Mailer, MailMessage } from './mailer.ts';

export const OUTBOX_COLLECTION = 'outbox';
const KEEP_MS = 24 * 60 * 60 * 1000;
/** Orders mail sent at one instant (a simulated clock can stand still). */
let sequence = 0;

export interface OutboxEntry extends MailMessage {
  id: string;
  from: string;
  at: EpochMs;
  /** A text message (to a phone number) rather than mail. */
  kind?: 'sms';
}

/** Keeps one message in the outbox. */
export async function keepInOutbox(store: Store, clock: Clock, message: Omit<OutboxEntry, 'id' | 'at'>): Promise<void> {
  const at = clock.now();
  // Ids sort by time, so listing by id is listing by time.
  sequence = (sequence + 1) % 1e9;
  const id = `${String(Math.max(0, at)).padStart(15, '0')}-${String(sequence).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
  await store.create(OUTBOX_COLLECTION, id, { ...message, id, at }, { expiresAt: at + KEEP_MS });
}

export function outboxMailer(store: Store, clock: Clock, from: string): Mailer {
  return {
    transport: 'outbox',
    async send(message) {
      await keepInOutbox(store, clock, { from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

export async function listOutbox(store: Store, limit = 50): Promise<OutboxEntry[]> {
  return (await store.list<OutboxEntry>(OUTBOX_COLLECTION, { order: 'desc', limit })).map((d) => d.value);
}
