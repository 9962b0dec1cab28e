// Refusals in Chinese for a zh-CN partner manager: every problem the schedule form, the preview and the
// audit filters can show is a Chinese sentence as JD and Taobao write them (您, full-width punctuation,
// dates in the partner's zone, fields and providers by name), never the rule's English or developer
// text; the admin API answers in Chinese when Accept-Language asks for it first and in English
// otherwise; the admin error pages are Chinese too.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { decode } from '../support/browser.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { call } from '../admin/admin-client.ts';
import { adminBrowser, createManager, OPERATOR, signIn, snapshot, submitForm } from './admin-browser.ts';

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
    assert.equal(problemOf(page, 'atCutoff'), '请选择“保留”（会话和刷新令牌保留到过期）或“撤销”。');
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
