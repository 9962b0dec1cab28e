// The demo shop's own lines for the stories: what a refresh came back with (renewed, refused and signed
// out, or failed) and the "connect another way" prompt, shown only to shoppers signed in with its idp and
// escaped like every other text the shop draws.

import assert from 'node:assert/strict';
import { connectPromptSection, outcomeLine, refreshOutcome, refreshSection } from '../../src/sandbox/demo-shop-page.ts';

describe('demo shop page: refresh tokens and the connect prompt', () => {
  it('a renewed refresh says so; a refused one (invalid_grant) says the shop signed the shopper out; others ask to retry', () => {
    assert.match(outcomeLine(refreshOutcome(undefined)), /id="shop-refreshed"[^>]*>[^<]*still works/);
    const refused = outcomeLine(refreshOutcome('invalid_grant'));
    assert.match(refused, /id="shop-error"[^>]*>[^<]*refresh token was refused: the shop signed you out/);
    assert.match(refused, /\(invalid_grant\)/);
    assert.match(outcomeLine(refreshOutcome('server_error')), /try again later[\s\S]*\(server_error\)/);
  });

  it('offers the Refresh button only when the shop holds a refresh token', () => {
    assert.match(refreshSection(true), /<form method="post" action="\/refresh">/);
    assert.doesNotMatch(refreshSection(false), /<form/);
  });

  it("shows the connect prompt to the prompt's idp only, linking to the account page, text escaped", () => {
    const prompt = { idp: 'weibo', provider: 'alipay', text: { 'zh-CN': '绑定<支付宝>', en: 'Connect "Alipay" & pay' } };
    assert.equal(connectPromptSection(prompt, 'qq', 'https://denglu.test'), '');
    assert.equal(connectPromptSection(undefined, 'weibo', 'https://denglu.test'), '');
    const html = connectPromptSection(prompt, 'weibo', 'https://denglu.test');
    assert.match(html, /data-connect="alipay"/);
    assert.match(html, /href="https:\/\/denglu\.test\/account#link-alipay"/);
    assert.ok(html.includes('绑定&lt;支付宝&gt;'));
    assert.ok(html.includes('Connect &quot;Alipay&quot; &amp; pay'));
  });
});
