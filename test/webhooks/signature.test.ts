// The Standard Webhooks signature Denglu sends, checked by an independent implementation (the
// `standardwebhooks` library): it verifies, and a changed body, id, timestamp or secret does not.

import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { isWebhookSecret, newWebhookSecret, signedHeaders } from '../../src/webhooks/signature.ts';

describe('webhooks: Standard Webhooks signature', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'identity.linked', timestamp: '2013-09-20T02:00:00.000Z', data: { partner: 'jd', sub: 'abc', provider: 'qq' } });
  // The library refuses timestamps more than 5 minutes from the machine's time: sign at the real now,
  // read when each test runs (a long suite would make a time read at load stale).
  const realNow = () => Math.floor(Date.now() / 1000);

  it('generates whsec_ secrets of 24 random bytes', () => {
    assert.ok(isWebhookSecret(secret));
    assert.notEqual(newWebhookSecret(), secret);
    assert.equal(Buffer.from(secret.slice(6), 'base64').length, 24);
    assert.equal(isWebhookSecret('whsec_short'), false);
    assert.equal(isWebhookSecret('sk_' + secret.slice(6)), false);
  });

  it('verifies with the standardwebhooks library', () => {
    const headers = signedHeaders(secret, 'msg_1', realNow(), body);
    assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  });

  it('does not verify when the body, id, timestamp or secret differ, or the timestamp is old (replay)', () => {
    const now = realNow();
    const headers = signedHeaders(secret, 'msg_1', now, body);
    const wh = new Webhook(secret);
    assert.throws(() => wh.verify(body.replace('qq', 'wechat'), headers));
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_2' }));
    assert.throws(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(now + 1) }));
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers));
    const old = signedHeaders(secret, 'msg_1', now - 3600, body);
    assert.throws(() => wh.verify(body, old), /timestamp/i);
  });
});
