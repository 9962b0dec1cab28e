// Refusals in Chinese for a zh-CN partner manager: every problem the schedule form, the preview and the
// audit filters can show is a Chinese sentence as JD and Taobao write them (您, full-width punctuation,
// dates in the partner's zone, fields and providers by name), never the rule's English or developer
// text; the admin API answers in Chinese when Accept-Language asks for it first and in English
// otherwise; the admin error pages are Chinese too. So are the webhook endpoint refusals (every URL rule
// of the production address policy, the endpoint limit, the delivery log's query, a malformed body) and
// the impact report's, on the API and on the pages.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { decode } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { call } from '../admin/admin-client.ts';
import { adminBrowser, createManager, formFields, OPERATOR, signIn, snapshot, submitForm } from './admin-browser.ts';

/** Every problem shown on a page: the list at the top and the lines next to the fields. */
function problems(page: Page): string[] {
  const listed = [...page.html.matchAll(/<li data-problem(?:-field)?="[^"]*"><strong>[^<]*<\/strong>([^<]*)<\/li>/g)].map((m) => decode(m[1]!));
  const inline = [...page.html.matchAll(/<p class="problem"[^>]*>([^<]*)<\/p>/g)].map((m) => decode(m[1]!));
  return [...listed, ...inline].map((t) => t.replace(/&#34;/g, '"').trim());
}

const problemOf = (page: Page, field: string): string =>
  decode(new RegExp(`<p class="problem"[^>]*data-problem="${field.replace('.', '\\.')}">([^<]*)<`).exec(page.html)?.[1] ?? '').replace(/&#34;/g, '"');

/** What may stay Latin in a Chinese sentence: typed dates, zone names, provider and product names. */
const LATIN_ALLOWED =
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2}|\[[A-Za-z_/]+\])?|Asia\/Shanghai|UTC[+-]\d{2}:\d{2}|\bQQ\b|Denglu|zh-CN|\ben\b|IANA|\bID\b|JWK|PKCE/g;

function assertChinese(text: string, where: string): void {
  assert.match(text, /[\u4e00-\u9fff]/, `${where}: Chinese, not "${text}"`);
  assert.doesNotMatch(text.replace(LATIN_ALLOWED, ''), /[A-Za-z]{2,}/, `${where}: no English or developer words in "${text}"`);
  assert.doesNotMatch(text, /[,;:!?](?=\s|$)|帐号|你/, `${where}: full-width punctuation, 账号 and 您 in "${text}"`);
}

describe('admin pages: refusals in Chinese', () => {
  let gw: Gateway;
  let zh: TestBrowser;
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    const m = await createManager(gw, 'Alpha manager', ['alpha', 'gamma']);
    zh = adminBrowser('zh-CN');
    await signIn(gw, zh, m.id, m.secret);
  });
  after(async () => {
    await gw.close();
  });

  async function refused(provider: string, changes: Record<string, string | null>, partner = 'alpha'): Promise<Page> {
    const before = await snapshot(gw, partner);
    const form = await zh.go(`${gw.issuer}/admin/partners/${partner}/integrations/${provider}`);
    const page = await submitForm(zh, form, `/integrations/${provider}`, changes);
    assert.equal(page.status, 400);
    assert.match(page.html, /没有做任何修改。请更正：/);
    assert.deepEqual(await snapshot(gw, partner), before, 'nothing changed');
    for (const p of problems(page)) assertChinese(p, page.url.pathname);
    assert.ok(problems(page).length >= 2, 'each problem in the list and next to its field');
    return page;
  }

  it('words a date without offset or zone, with examples in the partner zone', async () => {
    const page = await refused('qq', { noticeAt: '2013-09-10T00:00', cutoffAt: '2013-09-25T00:00+08:00' });
    assert.equal(
      problemOf(page, 'noticeAt'),
      '“2013-09-10T00:00”没有写明时差或时区，无法确定是哪个时刻。请写成 2013-09-10T00:00+08:00 或 2013-09-10T00:00[Asia/Shanghai]。',
    );
    assert.match(page.html, /data-problem-field="noticeAt"><strong>预告开始（noticeAt）<\/strong>：/);
  });

  it('words dates out of order with the other field by name and the dates in Chinese', async () => {
    const page = await refused('qq', { noticeAt: '2013-09-25T00:00+08:00', cutoffAt: '2013-09-10T00:00+08:00' });
    assert.match(problemOf(page, 'cutoffAt'), /^必须晚于预告开始（2013年9月25日.*），当前填写的是 2013年9月10日/);
  });

  it('words a notice without cutoff, a policy, a yes/no and a notice text too long', async () => {
    const page = await refused('qq', {
      noticeAt: '2013-09-10T00:00+08:00',
      atCutoff: 'later',
      newAccountsDuringNotice: 'maybe',
      'notice.en': 'x'.repeat(501),
    });
    assert.equal(problemOf(page, 'noticeAt'), '');
    assert.equal(problemOf(page, 'atCutoff'), '请选择“保留”（刷新令牌保留到过期）或“撤销”。');
    assert.equal(problemOf(page, 'newAccountsDuringNotice'), '请选择“是”或“否”。');
    assert.equal(problemOf(page, 'notice.en'), '最多 500 个字符。');
    const fixed = await refused('qq', { noticeAt: '2013-09-10T00:00+08:00' });
    assert.equal(problemOf(fixed, 'noticeAt'), '请同时填写停止时间：预告是提前告诉顾客何时停止登录。');
  });

  it('words a cutoff that ends sign-in now with the provider by name', async () => {
    const page = await refused('qq', { cutoffAt: '2013-08-31T00:00+08:00' }, 'gamma');
    assert.match(
      problemOf(page, 'cutoffAt'),
      /^2013年8月31日.*已经过去，保存后会立即停止QQ登录，顾客不会收到任何预告。如确需立即停止，请勾选“立即生效”后再保存。$/,
    );
  });

  it('words the preview and audit filter refusals, with Chinese field names', async () => {
    const preview = await zh.go(`${gw.issuer}/admin/partners/alpha/preview?at=tomorrow&locale=fr`);
    assert.equal(preview.status, 400);
    assert.match(preview.html, /<strong>日期和时间<\/strong>：“tomorrow”不是日期和时间/);
    assert.match(preview.html, /<strong>语言<\/strong>：请选择“zh-CN”（简体中文）或“en”（英文）。/);
    for (const p of problems(preview)) assertChinese(p.replace('tomorrow', ''), 'preview');
    const audit = await zh.go(`${gw.issuer}/admin/audit?from=2013-09-01&before=nope`);
    assert.equal(audit.status, 400);
    assert.match(audit.html, /<strong>从<\/strong>：“2013-09-01”没有写明时差或时区/);
    for (const p of problems(audit)) assertChinese(p, 'audit');
  });

  it('answers the admin API in Chinese when Accept-Language asks for it, in English otherwise', async () => {
    const body = { noticeAt: '2013-09-10T00:00', atCutoff: 'later', bogus: 1 };
    const zhAnswer = await call(gw, OPERATOR, 'PUT', '/partners/alpha/integrations/qq', body, { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    assert.equal(zhAnswer.status, 400);
    const zhProblems = zhAnswer.body.problems as { field: string; message: string }[];
    assert.deepEqual(zhProblems.map((p) => p.field).sort(), ['atCutoff', 'bogus', 'noticeAt']);
    for (const p of zhProblems) assertChinese(p.message, `API ${p.field}`);
    assert.equal(zhProblems.find((p) => p.field === 'bogus')!.message, '不是计划中可以填写的项目。');
    assert.ok(
      zhProblems.every((p) => Object.keys(p).join() === 'field,message'),
      'the problem shape stays { field, message }',
    );

    const enAnswer = await call(gw, OPERATOR, 'PUT', '/partners/alpha/integrations/qq', body);
    assert.equal(enAnswer.status, 400);
    assert.match(enAnswer.body.problems.find((p: { field: string }) => p.field === 'noticeAt').message, /has no offset or time zone/);
    assert.equal(enAnswer.body.problems.find((p: { field: string }) => p.field === 'bogus').message, 'is not a schedule field');
  });

  it('answers partner, client and manager bodies in Chinese too', async () => {
    const zhHeaders = { headers: { 'accept-language': 'zh-CN' } };
    const partner = await call(
      gw,
      OPERATOR,
      'POST',
      '/partners',
      { id: 'Bad Id', name: { 'zh-CN': '', fr: 'x' }, timeZone: 'Mars/Base', locales: ['fr'] },
      zhHeaders,
    );
    const client = await call(
      gw,
      OPERATOR,
      'POST',
      '/partners/alpha/clients',
      { redirect_uris: ['http://shop.example/cb', 'https://shop.example/cb#x', 'https://shop.example/cb#x'], token_endpoint_auth_method: 'magic' },
      zhHeaders,
    );
    const manager = await call(gw, OPERATOR, 'POST', '/managers', { name: 'M', partners: [] }, zhHeaders);
    for (const answer of [partner, client, manager]) {
      assert.equal(answer.status, 400);
      assert.ok(answer.body.problems.length >= 1);
      for (const p of answer.body.problems as { field: string; message: string }[]) {
        assertChinese(p.message.replace(/client_secret_basic|client_secret_post|private_key_jwt|none|https|http|localhost|IANA/g, ''), `API ${p.field}`);
        assert.notEqual(p.message, '填写的内容不正确，请检查后重新填写。', `${p.field} is worded, not the general sentence`);
      }
    }
  });

  it('shows the admin error pages in Chinese', async () => {
    const missing = await zh.go(`${gw.issuer}/admin/nowhere`);
    assert.equal(missing.status, 404);
    assert.match(missing.html, /<p class="message" data-error-code="ERR_NOT_FOUND">找不到这个页面。<\/p>/);
    const forbidden = await zh.go(`${gw.issuer}/admin/partners/beta`);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.html, /data-error-code="ERR_FORBIDDEN">您不管理这个商家，因此没有显示或修改任何内容。</);
    const before = await snapshot(gw, 'alpha');
    const body = new URLSearchParams({ 'notice.en': 'x'.repeat(20_000) });
    const tooLong = await zh.go(`${gw.issuer}/admin/partners/alpha/integrations/qq`, { method: 'POST', body });
    assert.equal(tooLong.status, 413);
    assert.match(tooLong.html, /data-error-code="ERR_TOO_LARGE">表单内容太长，因此没有做任何修改。请缩短文字后重试。</);
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
    for (const page of [missing, forbidden, tooLong]) {
      const text = /<section class="panel narrow">([\s\S]*?)<\/section>/.exec(page.html)![1]!.replace(/<[^>]+>/g, ' ');
      assertChinese(text.replace(/ERR_\w+/g, ''), page.url.pathname);
    }
  });
});

describe('admin API and pages: webhook and impact refusals in Chinese', () => {
  let gw: Gateway;
  let zh: TestBrowser;
  let en: TestBrowser;
  let token: string;
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');
  const zhHeaders = { headers: { 'accept-language': 'zh-CN' } };
  /** Every message of an answer: its summary and each problem's. */
  const messages = (answer: { body: { message: string; problems?: { field: string; message: string }[] } }) => [
    answer.body.message,
    ...(answer.body.problems ?? []).map((p) => p.message),
  ];
  /** The page's problems without the colon after the field's name. */
  const shown = (page: Page) => problems(page).map((t) => t.replace(/^[：:]\s*/, ''));
  /** The impact page's problems (a plain list above the report). */
  const impactProblems = (page: Page) => [...page.html.matchAll(/<li data-problem="[^"]*">([^<]*)<\/li>/g)].map((m) => decode(m[1]!).trim());
  const assertAllChinese = (texts: string[], where: string) => {
    for (const text of texts) {
      // the summary names each field as the API does (url, events, cutoff …)
      assertChinese(
        text.replace(
          /\(body\)|\b(?:url|events|description|cutoff|graceEnds|activeDays|format|limit|before|next|we_\w+|https|json|csv|JSON|UTF|Content-Type|application)\b/g,
          '',
        ),
        where,
      );
      assert.notEqual(text, '填写的内容不正确，请检查后重新填写。', `${where}: worded, not the general sentence`);
    }
  };

  before(async () => {
    // A production-like address policy: https to public addresses only.
    gw = await startGateway({ clock, env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false' } });
    const m = await createManager(gw, 'Alpha manager', ['alpha']);
    token = m.token;
    zh = adminBrowser('zh-CN');
    await signIn(gw, zh, m.id, m.secret);
    en = adminBrowser();
    await signIn(gw, en, m.id, m.secret);
  });
  after(async () => {
    await gw.close();
  });

  it('words every webhook URL refusal of the API in Chinese for zh-CN, in English otherwise', async () => {
    const cases: [string, RegExp, RegExp][] = [
      ['https://10.0.0.7/hooks', /内网、本机或保留地址/, /private, loopback or reserved/],
      ['https://localhost/hooks', /内网、本机或保留地址/, /private, loopback or reserved/],
      ['http://shop.example.com/hooks', /必须使用 https 地址/, /must be an https URL/],
      ['not a url', /完整的 https 地址/, /must be an absolute URL/],
      ['https://user:pw@shop.example.com/hooks', /用户名或密码/, /must not contain user info/],
      ['https://shop.example.com/hooks#x', /片段/, /must not contain a fragment/],
    ];
    for (const [url, zhText, enText] of cases) {
      const before = await gw.store.count('webhook_endpoints');
      const answer = await call(gw, token, 'POST', '/partners/alpha/webhooks', { url, events: ['identity.linked'] }, zhHeaders);
      assert.equal(answer.status, 400, url);
      assert.equal(answer.body.problems[0].field, 'url');
      assert.match(answer.body.problems[0].message, zhText, url);
      assertAllChinese(messages(answer), url);
      const english = await call(gw, token, 'POST', '/partners/alpha/webhooks', { url, events: ['identity.linked'] });
      assert.match(english.body.problems[0].message, enText, url);
      assert.equal(await gw.store.count('webhook_endpoints'), before, 'nothing added');
    }
    const noUrl = await call(gw, token, 'POST', '/partners/alpha/webhooks', { events: ['made.up'], description: 'x'.repeat(201) }, zhHeaders);
    assert.deepEqual(noUrl.body.problems.map((p: { field: string }) => p.field).sort(), ['description', 'events[0]', 'url']);
    assertAllChinese(messages(noUrl), 'missing url, unknown event, long description');
    const badLog = await call(gw, token, 'GET', '/partners/alpha/webhooks/deliveries?limit=0&before=x', undefined, zhHeaders);
    assert.equal(badLog.status, 400);
    assertAllChinese(messages(badLog), 'delivery log query');
    const unknown = await call(gw, token, 'DELETE', '/partners/alpha/webhooks/we_nothing', undefined, zhHeaders);
    assert.equal(unknown.status, 404);
    assertAllChinese(messages(unknown), 'unknown endpoint');
    const malformed = await call(gw, token, 'POST', '/partners/alpha/webhooks', undefined, { raw: '{"url":', ...zhHeaders });
    assert.equal(malformed.status, 400);
    assertAllChinese(messages(malformed), 'malformed JSON');
  });

  it('words the impact report refusals of the API in Chinese for zh-CN', async () => {
    const path = '/partners/alpha/integrations/qq/impact';
    const noZone = await call(gw, token, 'GET', `${path}?cutoff=2013-09-25T00:00`, undefined, zhHeaders);
    assert.equal(noZone.status, 400);
    assert.equal(noZone.body.problems[0].field, 'cutoff');
    assert.match(noZone.body.problems[0].message, /没有写明时差或时区/);
    assertAllChinese(messages(noZone), 'cutoff without a zone');
    const none = await call(gw, token, 'GET', path, undefined, zhHeaders);
    assert.equal(none.status, 400);
    assert.equal(none.body.problems[0].message, 'QQ还没有安排截止时间，请填写要估算的截止时间。');
    const graceFirst = await call(gw, token, 'GET', `${path}?cutoff=2013-09-25T00:00%2B08:00&graceEnds=2013-09-24T00:00%2B08:00`, undefined, zhHeaders);
    assert.equal(graceFirst.body.problems[0].message, '宽限期结束时间不能早于截止时间。');
    const badQuery = await call(gw, token, 'GET', `${path}?cutoff=2013-09-25T00:00%2B08:00&activeDays=0&format=xml`, undefined, zhHeaders);
    assert.deepEqual(badQuery.body.problems.map((p: { field: string }) => p.field).sort(), ['activeDays', 'format']);
    for (const answer of [none, graceFirst, badQuery]) assertAllChinese(messages(answer), 'impact query');
    const english = await call(gw, token, 'GET', path);
    assert.match(english.body.problems[0].message, /no cutoff is scheduled for "qq"/);
    const pastPath = `${path}?cutoff=2000-01-01T00:00%2B08:00`;
    const past = await call(gw, token, 'GET', pastPath, undefined, zhHeaders);
    assert.equal(past.status, 400);
    assert.equal(past.body.problems[0].field, 'cutoff');
    assert.match(past.body.problems[0].message, /^要估算的截止时间必须晚于现在（\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d \(UTC[+-]\d\d:\d\d\)）。$/);
    const pastEnglish = await call(gw, token, 'GET', pastPath);
    assert.equal(pastEnglish.status, 400);
    assert.match(pastEnglish.body.problems[0].message, /^a cutoff to consider must be later than now \(.+\)$/);
  });

  it('words the webhook form and the impact page refusals in Chinese, and the endpoint limit too', async () => {
    const webhooks = `${gw.issuer}/admin/partners/alpha/webhooks`;
    const post = async (browser: TestBrowser, url: string) => {
      const body = formFields(await browser.go(webhooks), '/admin/partners/alpha/webhooks');
      body.set('url', url);
      body.append('events', 'identity.linked');
      return browser.go(webhooks, { method: 'POST', body });
    };
    const privateAddress = await post(zh, 'https://192.168.1.10/hooks');
    assert.equal(privateAddress.status, 400);
    assert.deepEqual(shown(privateAddress), ['不能使用内网、本机或保留地址，接收地址必须能从公网访问。']);
    const plainHttp = await post(zh, 'http://shop.example.com/hooks');
    assert.deepEqual(shown(plainHttp), ['必须使用 https 地址。']);
    assert.deepEqual(shown(await post(en, 'http://shop.example.com/hooks')), ['must be an https URL']);

    for (let i = await gw.store.count('webhook_endpoints'); i < 10; i++) {
      assert.equal((await post(zh, `https://shop.example.com/hooks/${i}`)).status, 201);
    }
    const full = await post(zh, 'https://shop.example.com/hooks/one-more');
    assert.equal(full.status, 409);
    assert.deepEqual(shown(full), ['一个商家最多有 10 个接收地址，请先删除一个。']);
    assert.equal(await gw.store.count('webhook_endpoints'), 10, 'nothing added');
    const apiFull = await call(gw, token, 'POST', '/partners/alpha/webhooks', { url: 'https://shop.example.com/x', events: ['identity.linked'] }, zhHeaders);
    assert.equal(apiFull.status, 409);
    assert.equal(apiFull.body.message, '一个商家最多有 10 个接收地址，请先删除一个。');

    const impact = `${gw.issuer}/admin/partners/alpha/integrations/qq/impact`;
    const noZone = await zh.go(`${impact}?cutoff=${encodeURIComponent('2013-09-25T00:00')}`);
    assert.equal(noZone.status, 400);
    const graceFirst = await zh.go(
      `${impact}?cutoff=${encodeURIComponent('2013-09-25T00:00+08:00')}&graceEnds=${encodeURIComponent('2013-09-24T00:00+08:00')}`,
    );
    assert.equal(graceFirst.status, 400);
    const none = await zh.go(impact);
    assert.equal(none.status, 400);
    assert.deepEqual(impactProblems(graceFirst), ['宽限期结束时间不能早于截止时间。']);
    assert.deepEqual(impactProblems(none), ['QQ还没有安排截止时间，请填写要估算的截止时间。']);
    assert.match(impactProblems(noZone)[0] ?? '', /没有写明时差或时区/);
    for (const page of [noZone, graceFirst, none]) for (const p of impactProblems(page)) assertChinese(p, page.url.toString());
  });
});
