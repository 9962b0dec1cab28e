// What a shopper is told for an upstream failure, by step (src/broker/failure-page.ts): a revocation
// failure has its own step and its own wording in zh-CN and en, never the sign-in's "could not use the
// answer", and a shop never hears of it as a refusal by the shopper.

import assert from 'node:assert/strict';
import { failureMessage, shopError } from '../../src/broker/failure-page.ts';
import type { LoginContext } from '../../src/broker/login-context.ts';
import { UpstreamError } from '../../src/errors.ts';
import { translator } from '../../src/i18n/messages.ts';
import { descriptor as weibo } from '../../providers/weibo/descriptor.ts';

const ctx = { descriptors: new Map([['weibo', weibo]]) } as unknown as LoginContext;

describe('upstream failure wording by step', () => {
  it('a revoke failure says the authorization could not be revoked, in zh-CN and en', () => {
    const error = new UpstreamError('weibo', 'revoke', 'revokeoauth2 answered HTTP 500 without a weibo error body');
    assert.equal(
      failureMessage(ctx, error, { locale: 'en', requestId: 'r', provider: 'weibo' }),
      'The authorization at Weibo could not be revoked. You can revoke it yourself in your Weibo settings.',
    );
    assert.equal(failureMessage(ctx, error, { locale: 'zh-CN', requestId: 'r', provider: 'weibo' }), '没能在微博撤销授权。您可以在微博的设置中自行撤销。');
    assert.equal(shopError(error), 'temporarily_unavailable');
  });

  it('differs from the token exchange wording it was reported under before', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const revoke = failureMessage(ctx, new UpstreamError('weibo', 'revoke', 'x'), { locale, requestId: 'r', provider: 'weibo' });
      const exchange = failureMessage(ctx, new UpstreamError('weibo', 'token_exchange', 'x'), { locale, requestId: 'r', provider: 'weibo' });
      assert.equal(exchange, translator(locale)('error.ERR_UPSTREAM.default', { provider: weibo.label[locale], shop: '', hint: '' }));
      assert.notEqual(revoke, exchange, locale);
    }
  });
});
