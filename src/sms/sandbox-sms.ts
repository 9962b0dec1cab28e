// The sandbox's SMS "service": texts are kept in the sandbox outbox with the mail, marked as texts, and
// shown at /sandbox/outbox, so a tester reads the code there. Production refuses this sender.

import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import { translator } from '../i18n/messages.ts';
import { keepInOutbox } from '../mail/outbox.ts';
import { CODE_TTL_MS } from '../accounts/verification-codes.ts';
import type { SmsSender } from './sender.ts';

export function sandboxSender(store: Store, clock: Clock): SmsSender {
  return {
    transport: 'sandbox',
    async send(to, _templateId, params, locale) {
      const t = translator(locale);
      const text = t('sms.code', { code: params.code ?? '', minutes: CODE_TTL_MS / 60_000 });
      await keepInOutbox(store, clock, { kind: 'sms', from: 'SMS', to, subject: t('outbox.sms'), text });
    },
  };
}
