// Every page a shopper can reach is Denglu's, in the shopper's language: paths oidc-provider has no
// route for get Denglu's 404 page (not koa's plain-text "Not Found"), and oidc-provider's refusals in a
// browser read as sentences from Denglu's catalogue, never its English error_description.

import assert from 'node:assert/strict';
import { startGateway, type Gateway } from '../support/gateway.ts';

const LANGUAGES = { 'zh-CN': 'zh-CN,zh;q=0.9', en: 'en' } as const;

async function get(gw: Gateway, path: string, language: keyof typeof LANGUAGES, accept = 'text/html,application/xhtml+xml,*/*;q=0.8') {
  const res = await fetch(`${gw.issuer}${path}`, { headers: { accept, 'accept-language': LANGUAGES[language] }, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', cache: res.headers.get('cache-control') ?? '', body: await res.text() };
}

const messageOf = (html: string) => /<p class="message" data-error-code="([^"]*)">([^<]*)<\/p>/.exec(html);

/** A zh-CN sentence: no Latin words but Denglu and the parenthesised error code. */
function assertChinese(text: string, what: string): void {
  const rest = text.replace(/Denglu/g, '').replace(/（[a-z_]+）/g, '');
  assert.ok(!/[A-Za-z]{2,}/.test(rest), `${what}: "${text}" is not all Chinese`);
}

describe("every page a shopper can reach is Denglu's, in the shopper's language", () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  const UNKNOWN = ['/auth/abc/def', '/session/end/abc', '/session/end/confirm', '/token', '/request', '/jwks/abc', '/me/abc', '/no-such-page', '/interaction'];
  for (const language of ['zh-CN', 'en'] as const) {
    it(`${language}: paths nothing serves get Denglu's 404 page, not plain-text "Not Found"`, async () => {
      for (const path of UNKNOWN) {
        const page = await get(gw, path, language);
        assert.equal(page.status, 404, path);
        assert.match(page.type, /^text\/html/, `${path}: ${page.type} ${page.body.slice(0, 60)}`);
        assert.match(page.body, new RegExp(`<html lang="${language}">`), path);
        const m = messageOf(page.body);
        assert.ok(m, `${path}: Denglu's error page`);
        assert.equal(m[1], 'ERR_NOT_FOUND', path);
        assert.equal(m[2], language === 'en' ? 'This page does not exist.' : '找不到这个页面。', path);
        // Titled for what it is: a missing page, not a sign-in that "did not complete".
        assert.match(page.body, new RegExp(`<h1>${language === 'en' ? 'Page not found' : '找不到这个页面'}</h1>`), path);
        assert.match(page.cache, /no-store/, path);
      }
    });
  }

  it("API clients get Denglu's JSON 404 there", async () => {
    for (const path of ['/auth/abc/def', '/token', '/jwks/abc']) {
      const page = await get(gw, path, 'en', 'application/json');
      assert.equal(page.status, 404, path);
      assert.match(page.type, /^application\/json/, path);
      assert.equal(JSON.parse(page.body).error, 'ERR_NOT_FOUND', path);
    }
  });

  const shop = 'client_id=alpha-basic&response_type=code&scope=openid&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=S256';
  const REFUSALS: { path: string; code: string; en: RegExp; english: RegExp }[] = [
    {
      path: '/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https://x.test/cb',
      code: 'invalid_client',
      en: /does not use Denglu sign-in/,
      english: /client is invalid/,
    },
    { path: `/auth?${shop}&redirect_uri=https://evil.test/cb`, code: 'invalid_redirect_uri', en: /has not registered/, english: /redirect_uri did not match/ },
    {
      path: '/auth?client_id=alpha-basic&client_id=alpha-basic&response_type=code',
      code: 'invalid_request',
      en: /could not be handled/,
      english: /provided (?:once|twice)|client_id/,
    },
    { path: '/auth/expired-or-unknown', code: 'invalid_request', en: /could not be handled/, english: /has expired/ },
    { path: '/me', code: 'invalid_token', en: /expired or was used already/, english: /no access token provided/ },
  ];
  for (const r of REFUSALS) {
    it(`oidc-provider's ${r.code} (${r.path.slice(0, 40)}…) in Chinese and English from Denglu's catalogue`, async () => {
      for (const language of ['zh-CN', 'en'] as const) {
        const page = await get(gw, r.path, language);
        assert.ok(page.status >= 400, `${r.path}: ${page.status}`);
        const m = messageOf(page.body);
        assert.ok(m, `${language} ${r.path}: Denglu's error page, got ${page.body.slice(0, 200)}`);
        assert.equal(m[1], r.code);
        const visible = page.body.replace(/\shref="[^"]*"/g, '');
        assert.ok(!r.english.test(visible), `${language}: oidc-provider's English description is not shown`);
        assert.ok(!m[2]!.includes(r.code), 'the sentence is for shoppers: no protocol code in it');
        assert.ok(visible.includes(`${language === 'en' ? 'Error code: ' : '错误代码：'}${r.code}`), "the code is named apart, for the shop's support");
        if (language === 'en') assert.match(m[2]!, r.en);
        else assertChinese(m[2]!, r.path);
        assert.match(page.body, new RegExp(`<html lang="${language}">`));
      }
    });
  }
});
