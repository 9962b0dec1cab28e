// The JD case through the admin pages, as a partner manager does it: schedule Weibo's notice, cutoff and
// grace on alpha from the schedule form (September 2013 on a manual clock), then preview the login page
// on 20 September (Weibo button with its notice) and 26 September (no Weibo button, a migration link).
// Also: validation messages next to their fields (400, nothing changed), an immediate cutoff that must
// be confirmed, and adding a provider through the same form.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import type { Partner } from '../../src/partners/partner.ts';
import { listAudit } from '../../src/audit/audit.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import type { Page, TestBrowser } from '../support/browser.ts';
import { suggestedInstants, withBerlinPartner } from '../support/suggested-instants.ts';
import { adminBrowser, createManager, OPERATOR, signIn, previewFrame, snapshot, submitForm } from './admin-browser.ts';

const at = (iso: string) => Date.parse(iso);
const JD = { noticeAt: '2013-09-10T00:00+08:00', cutoffAt: '2013-09-25T00:00[Asia/Shanghai]', graceEndsAt: '2013-10-25T00:00+08:00' };

const problemOf = (page: Page, field: string): string | undefined => new RegExp(`data-problem="${field.replace('.', '\\.')}">([^<]*)<`).exec(page.html)?.[1];
const inputValue = (page: Page, name: string): string | undefined => new RegExp(`name="${name}" type="text" value="([^"]*)"`).exec(page.html)?.[1];

describe('admin pages: the schedule form and the preview (the JD case)', () => {
  let gw: Gateway;
  let manager: TestBrowser;
  let managerId: string;
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({
      clock,
      partners: withBerlinPartner,
    });
    const m = await createManager(gw, 'Alpha manager', ['alpha', 'gamma']);
    managerId = m.id;
    manager = adminBrowser();
    await signIn(gw, manager, m.id, m.secret);
  });
  after(async () => {
    await gw.close();
  });

  /** Alpha's Weibo on the JD schedule, as the first test sets it from the form; made here when a later test runs alone. */
  async function ensureJdSchedule(): Promise<void> {
    const weibo = (await gw.store.get<Partner>('partners', 'alpha'))!.integrations.find((i) => i.provider === 'weibo')!;
    if (weibo.cutoffAt !== undefined) return;
    const dates = { noticeAt: at('2013-09-10T00:00+08:00'), cutoffAt: at('2013-09-25T00:00+08:00'), graceEndsAt: at('2013-10-25T00:00+08:00') };
    await gw.store.update<Partner>('partners', 'alpha', (p) => ({
      ...p,
      integrations: p.integrations.map((i) => (i.provider === 'weibo' ? { ...i, ...dates } : i)),
    }));
  }

  it("schedules Weibo's notice, cutoff and grace on alpha from the form, audited as the manager", async () => {
    const home = await manager.go(`${gw.issuer}/admin`);
    const timeline = await manager.click(home, '/admin/partners/alpha');
    const form = await manager.click(timeline, '/admin/partners/alpha/integrations/weibo');
    assert.equal(form.status, 200);
    assert.match(form.html, /Weibo at Alpha Shop: schedule/);
    assert.equal(inputValue(form, 'cutoffAt'), '', 'no cutoff yet');

    const saved = await submitForm(manager, form, '/integrations/weibo', JD);
    assert.equal(saved.status, 200, saved.html.slice(0, 400));
    assert.equal(saved.url.pathname, '/admin/partners/alpha');
    assert.match(saved.html, /data-saved="1">The schedule of Weibo is saved\./);
    assert.match(saved.html, /data-field="cutoffAt"[^>]*>2013-09-25 00:00</);

    const weibo = (await gw.store.get<Partner>('partners', 'alpha'))!.integrations.find((i) => i.provider === 'weibo')!;
    assert.equal(weibo.noticeAt, at('2013-09-10T00:00+08:00'));
    assert.equal(weibo.cutoffAt, at('2013-09-25T00:00+08:00'));
    assert.equal(weibo.graceEndsAt, at('2013-10-25T00:00+08:00'));
    assert.equal(weibo.atCutoff, 'keep');
    assert.equal(weibo.newAccountsDuringNotice, true);
    assert.equal(weibo.notice, undefined);

    const entry = (await listAudit(gw.store, { partner: 'alpha', limit: 1 })).entries[0]!;
    assert.equal(entry.action, 'integration.schedule');
    assert.deepEqual(entry.actor, { kind: 'manager', id: managerId });

    // The form shows the saved dates in the partner's zone, ready to be edited again.
    const again = await manager.click(saved, '/admin/partners/alpha/integrations/weibo');
    assert.equal(inputValue(again, 'noticeAt'), '2013-09-10T00:00+08:00');
    assert.equal(inputValue(again, 'cutoffAt'), '2013-09-25T00:00+08:00');
  });

  it('previews the login page on 20 September: the Weibo button carries its notice', async () => {
    await ensureJdSchedule();
    const timeline = await manager.go(`${gw.issuer}/admin/partners/alpha`);
    const form = await manager.click(timeline, '/admin/partners/alpha/preview');
    assert.equal(form.status, 200);
    const page = await submitForm(manager, form, '/preview', { at: '2013-09-20T10:00+08:00', locale: 'en' });
    assert.equal(page.status, 200);
    assert.match(page.html, /data-preview-at="2013-09-20 10:00 UTC\+08:00"/);
    const frame = previewFrame(page);
    assert.match(frame, /<html lang="en">/);
    assert.match(frame, /data-provider="weibo">Continue with Weibo</);
    assert.match(frame, /data-notice="weibo"[^>]*>Weibo sign-in stops at Alpha Shop on 25 September 2013 at 00:00 \(Beijing time\)\./);
    assert.match(frame, /data-provider="qq"/);
    assert.match(frame, /data-provider="sohu"/);
    assert.match(frame, /data-password-form="1"/);
    assert.doesNotMatch(frame, /data-migrate="weibo"/);
    assert.match(page.html, /data-notice-text="weibo">[^<]*25 September 2013/, 'the full notice is listed below the frame');

    const zh = await manager.go(`${gw.issuer}/admin/partners/alpha/preview?at=2013-09-20T10:00+08:00&locale=zh-CN`);
    assert.equal(zh.status, 200, 'an unencoded + in a typed URL still reads as the offset');
    assert.match(previewFrame(zh), /<html lang="zh-CN">/);
    assert.match(previewFrame(zh), /data-notice="weibo"[^>]*>阿尔法商店将于9月25日 0:00（北京时间）起停止支持微博登录。/);
  });

  it('previews the login page on 26 September: no Weibo button, a migration link instead', async () => {
    await ensureJdSchedule();
    const twentieth = await manager.go(`${gw.issuer}/admin/partners/alpha/preview?at=${encodeURIComponent('2013-09-20T10:00+08:00')}&locale=en`);
    const page = await submitForm(manager, twentieth, '/preview', { at: '2013-09-26T10:00+08:00' });
    assert.equal(page.status, 200);
    assert.equal(page.url.searchParams.get('locale'), 'en', 'the chosen language stays');
    const frame = previewFrame(page);
    assert.doesNotMatch(frame, /data-provider="weibo"/);
    assert.match(frame, /data-migrate="weibo">[^<]*Weibo[^<]*</);
    assert.match(frame, /data-provider="qq"/);
    assert.match(frame, /data-provider="sohu"/);

    const after = await manager.go(`${gw.issuer}/admin/partners/alpha/preview?at=${encodeURIComponent('2013-10-26T00:00+08:00')}&locale=en`);
    assert.doesNotMatch(previewFrame(after), /data-migrate="weibo"/);
    assert.match(after.html, /data-hidden="weibo"><strong>Weibo<\/strong>: ended/);
  });

  it('refuses a preview date without offset or zone with the message, and shows no preview', async () => {
    const page = await manager.go(`${gw.issuer}/admin/partners/alpha/preview?at=2013-09-20T10:00&locale=en`);
    assert.equal(page.status, 400);
    assert.match(page.html, /data-problem="at"><strong>Date and time<\/strong>: &#34;2013-09-20T10:00&#34; has no offset or time zone/);
    assert.doesNotMatch(page.html, /data-provider=|<iframe/);
    assert.match(page.html, /name="at" type="text" value="2013-09-20T10:00"/, 'the typed value is kept');
  });

  it('refuses a bare local time with a message next to its field: 400, the form as typed, nothing changed', async () => {
    const before = await snapshot(gw, 'alpha');
    const form = await manager.go(`${gw.issuer}/admin/partners/alpha/integrations/qq`);
    const page = await submitForm(manager, form, '/integrations/qq', { noticeAt: '2013-09-10T00:00', cutoffAt: '2013-09-25T00:00+08:00' });
    assert.equal(page.status, 400);
    assert.equal(page.url.pathname, '/admin/partners/alpha/integrations/qq');
    assert.match(page.html, /Nothing was changed/);
    assert.match(problemOf(page, 'noticeAt')!, /has no offset or time zone/);
    assert.match(page.html, /data-problem-field="noticeAt"><strong>Notice from \(noticeAt\)<\/strong>/);
    assert.equal(inputValue(page, 'noticeAt'), '2013-09-10T00:00');
    assert.equal(inputValue(page, 'cutoffAt'), '2013-09-25T00:00+08:00');
    assert.match(page.html, /name="noticeAt" type="text" value="2013-09-10T00:00"[^>]*aria-invalid="true"/);
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('refuses reversed dates naming the fields: 400, nothing changed', async () => {
    const before = await snapshot(gw, 'alpha');
    const form = await manager.go(`${gw.issuer}/admin/partners/alpha/integrations/qq`);
    const page = await submitForm(manager, form, '/integrations/qq', {
      noticeAt: '2013-09-25T00:00+08:00',
      cutoffAt: '2013-09-10T00:00+08:00',
      graceEndsAt: '2013-09-05T00:00+08:00',
    });
    assert.equal(page.status, 400);
    assert.match(problemOf(page, 'cutoffAt')!, /must be after noticeAt/);
    assert.match(problemOf(page, 'graceEndsAt')!, /must be after noticeAt/);
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('asks to confirm a cutoff that ends sign-in now, and closes it at once when confirmed', async () => {
    const before = await snapshot(gw, 'gamma');
    const form = await manager.go(`${gw.issuer}/admin/partners/gamma/integrations/qq`);
    const refused = await submitForm(manager, form, '/integrations/qq', { cutoffAt: '2013-08-31T00:00+08:00' });
    assert.equal(refused.status, 400);
    assert.match(problemOf(refused, 'cutoffAt')!, /ends sign-in with qq now, without notice/);
    assert.deepEqual(await snapshot(gw, 'gamma'), before);

    const confirmed = await submitForm(manager, refused, '/integrations/qq', { effectiveImmediately: 'on' });
    assert.equal(confirmed.url.pathname, '/admin/partners/gamma');
    assert.match(confirmed.html, /sign-in with QQ closed at once/);
    assert.match(confirmed.html, /<tr data-integration="qq">[\s\S]*?phase-grace/);
  });

  it('adds a provider to a partner through the same form', async () => {
    clock.advance(1000); // audit entries order by time
    const timeline = await manager.go(`${gw.issuer}/admin/partners/gamma`);
    assert.doesNotMatch(timeline.html, /data-add="weibo"/, 'weibo is already there');
    const form = await manager.click(timeline, '/admin/partners/gamma/integrations/sohu');
    assert.match(form.html, /Add Sohu to Gamma Shop/);
    const saved = await submitForm(manager, form, '/integrations/sohu', {
      startsAt: '2013-10-01T00:00[Asia/Shanghai]',
      atCutoff: 'revoke',
      newAccountsDuringNotice: 'no',
      'notice.en': 'Sohu sign-in is coming.',
    });
    assert.equal(saved.url.pathname, '/admin/partners/gamma');
    const sohu = (await gw.store.get<Partner>('partners', 'gamma'))!.integrations.find((i) => i.provider === 'sohu')!;
    assert.deepEqual(sohu, {
      provider: 'sohu',
      startsAt: at('2013-10-01T00:00+08:00'),
      atCutoff: 'revoke',
      newAccountsDuringNotice: false,
      notice: { en: 'Sohu sign-in is coming.' },
    });
    assert.equal((await listAudit(gw.store, { partner: 'gamma', limit: 1 })).entries[0]!.action, 'integration.add');
    assert.match(saved.html, /<g class="timeline-row" data-provider="sohu">[\s\S]*?data-phase="upcoming"[\s\S]*?data-phase="live"/);
  });

  it('clears a date with the "clear" box', async () => {
    await ensureJdSchedule();
    clock.advance(1000);
    const operator = adminBrowser();
    await signIn(gw, operator, 'operator', OPERATOR);
    const form = await operator.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    const saved = await submitForm(operator, form, '/integrations/weibo', { 'clear.graceEndsAt': 'on' });
    assert.equal(saved.url.pathname, '/admin/partners/alpha', saved.html.slice(0, 300));
    const weibo = (await gw.store.get<Partner>('partners', 'alpha'))!.integrations.find((i) => i.provider === 'weibo')!;
    assert.equal(weibo.graceEndsAt, undefined);
    assert.equal(weibo.cutoffAt, at('2013-09-25T00:00+08:00'), 'the other dates stay');
    const entry = (await listAudit(gw.store, { partner: 'alpha', limit: 1 })).entries[0]!;
    assert.deepEqual(entry.actor, { kind: 'operator', id: 'operator' });
  });

  it("the date help and every refusal on the form suggest dates in the partner's zone, each accepted as typed", async () => {
    const operator = adminBrowser();
    await signIn(gw, operator, 'operator', OPERATOR);
    const form = await operator.go(`${gw.issuer}/admin/partners/berlin/integrations/weibo`);
    assert.equal(form.status, 200);
    const help = /<p class="help">([^<]*)<\/p>/.exec(form.html)![1]!;
    assert.match(help, /2013-09-01T00:00\+02:00 or 2013-09-01T00:00\[Europe\/Berlin\]/);
    assert.ok(!/Shanghai|\+08:00/.test(help), help);
    const refused = await submitForm(operator, form, '/integrations/weibo', { cutoffAt: '2013-10-26' });
    assert.equal(refused.status, 400);
    const problem = problemOf(refused, 'cutoffAt')!;
    const suggestions = suggestedInstants(problem);
    assert.deepEqual(suggestions, ['2013-10-26T00:00+02:00', '2013-10-26T00:00[Europe/Berlin]'], problem);
    for (const suggestion of suggestions) {
      const saved = await submitForm(operator, refused, '/integrations/weibo', { cutoffAt: suggestion });
      assert.equal(saved.status, 200, `${suggestion}: ${problemOf(saved, 'cutoffAt')}`);
    }
  });

  it('gives each date an example that says it is one ("e.g." / "例如", in the zone) and says what leaving it empty means, in en and zh-CN', async () => {
    const placeholders = (page: Page) => [...page.html.matchAll(/<input id="(\w+At)"[^>]* placeholder="([^"]*)"/g)].map((x) => [x[1], x[2]]);
    const empties = (page: Page) => [...page.html.matchAll(/<p class="help" id="(\w+At)-empty" data-empty="\w+">([^<]*)<\/p>/g)].map((x) => [x[1], x[2]]);
    const fields = ['startsAt', 'noticeAt', 'cutoffAt', 'graceEndsAt'];
    for (const locale of ['en', 'zh-CN'] as const) {
      const operator = adminBrowser(locale);
      await signIn(gw, operator, 'operator', OPERATOR);
      const form = await operator.go(`${gw.issuer}/admin/partners/berlin/integrations/weibo`);
      assert.equal(form.status, 200);
      const example = locale === 'en' ? 'e.g. 2013-09-01T00:00+02:00' : '例如 2013-09-01T00:00+02:00';
      assert.deepEqual(
        placeholders(form),
        fields.map((f) => [f, example]),
        `${locale}: every date's placeholder is an example in Berlin's offset, not a value`,
      );
      const hints = empties(form);
      assert.deepEqual(
        hints.map((h) => h[0]),
        fields,
      );
      const start = hints[0]![1]!;
      assert.match(
        start,
        locale === 'en' ? /^Empty: no go-live date, so the provider is offered as soon as this is saved\.$/ : /^留空：没有上线时间，保存后立即提供/,
      );
      assert.match(hints[2]![1]!, locale === 'en' ? /no cutoff is scheduled/ : /不安排停止/);
      assert.match(form.html, /<input id="startsAt"[^>]* aria-describedby="startsAt-empty"/, 'the hint is read with the field');
    }
  });
});
