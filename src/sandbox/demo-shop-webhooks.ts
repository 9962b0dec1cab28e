// The demo shop's webhook endpoint, as a shop would write it: POST /webhooks checks the Standard Webhooks
// signature with the `standardwebhooks` library and the timestamp against the shop's clock (the
// sandbox's simulated time, so the library's own check against the machine's clock is not used),
// ignores a `webhook-id` it has already seen (retries), and keeps the last few for the page to show. The
// page shows only deliveries whose signature checked out, and says so, with the number refused.

import express, { type Express } from 'express';
import { Webhook } from 'standardwebhooks';
import { escapeHtml } from '../../providers/shared/emulator/authorize-page.ts';

const TOLERANCE_SECONDS = 5 * 60;
const KEPT = 20;

export interface ReceivedWebhook {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface WebhookInbox {
  readonly received: readonly ReceivedWebhook[];
  /** Deliveries refused (bad signature or timestamp) since the shop started. */
  readonly refused: number;
  mount(app: Express): void;
  /** The page section listing what came in, newest first. */
  section(): string;
}

export function webhookInbox(secret: string, now: () => number): WebhookInbox {
  const wh = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const seen = new Set<string>();
  let refused = 0;
  const verified = (body: string, id: string, timestamp: string, signatures: string): boolean => {
    const ts = Number(timestamp);
    if (!Number.isInteger(ts) || Math.abs(now() / 1000 - ts) > TOLERANCE_SECONDS) return false;
    const expected = wh.sign(id, new Date(ts * 1000), body);
    return signatures.split(' ').includes(expected);
  };
  return {
    received,
    get refused() {
      return refused;
    },
    mount(app) {
      app.post('/webhooks', express.text({ type: 'application/json', limit: '64kb' }), (req, res) => {
        const body = typeof req.body === 'string' ? req.body : '';
        const id = req.get('webhook-id') ?? '';
        if (!verified(body, id, req.get('webhook-timestamp') ?? '', req.get('webhook-signature') ?? '')) {
          refused += 1;
          res.status(401).json({ error: 'bad signature or timestamp' });
          return;
        }
        if (!seen.has(id)) {
          seen.add(id);
          const event = JSON.parse(body) as Omit<ReceivedWebhook, 'id'>;
          received.unshift({ id, type: event.type, timestamp: event.timestamp, data: event.data });
          received.splice(KEPT);
        }
        res.status(204).end();
      });
    },
    section() {
      const items = received
        .map(
          (w) =>
            `<li data-webhook="${escapeHtml(w.type)}" data-verified="1"><strong>${escapeHtml(w.type)}</strong> <small>${escapeHtml(w.timestamp)} · ✓ 签名已验证 · signature verified · ${escapeHtml(w.id)}</small><pre>${escapeHtml(JSON.stringify(w.data, null, 2))}</pre></li>`,
        )
        .join('');
      const checked =
        "<p><small>每个请求都用 standardwebhooks 库验证签名和时间戳，只显示通过验证的。 · Each delivery's signature and timestamp are checked with the standardwebhooks library; only verified ones are shown.</small></p>";
      const rejected = refused
        ? `<p data-refused="${refused}"><small>已拒绝 ${refused} 个（签名或时间戳不对） · ${refused} refused (bad signature or timestamp)</small></p>`
        : '';
      return `<section class="webhooks" id="webhooks"><h2>收到的 Webhook · Webhooks received</h2>${checked}${rejected}${
        items ? `<ul>${items}</ul>` : '<p><small>还没有收到。 · None yet.</small></p>'
      }</section>`;
    },
  };
}
