// Role separation and CSRF on the admin pages: the manager of alpha sees and changes alpha only; every
// page and POST about beta (or a partner that does not exist) is a 403 page and changes nothing (the
// partner document and the audit log's size stay); POSTs without a valid CSRF token or without a session
// change nothing; every page carries the security headers and no inline script or style.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import type { TestBrowser } from '../support/browser.ts';
import { adminBrowser, createManager, formFields, OPERATOR, signIn, snapshot, submitForm } from './admin-browser.ts';

const SCHEDULE = { noticeAt: '2013-09-10T00:00+08:00', cutoffAt: '2013-09-25T00:00+08:00', graceEndsAt: '2013-10-25T00:00+08:00' };

describe('admin pages: roles and CSRF', () => {
  let gw: Gateway;
  let alphaManager: TestBrowser;
  let operator: TestBrowser;
  const clock = new ManualClock('2013-09-01T10:00:00+08:00');

  before(async () => {
    gw = await startGateway({ clock });
    const m = await createManager(gw, 'Alpha manager', ['alpha']);
    alphaManager = adminBrowser();
    await signIn(gw, alphaManager, m.id, m.secret);
    operator = adminBrowser();
    await signIn(gw, operator, 'operator', OPERATOR);
  });
  after(async () => {
    await gw.close();
  });

  it('lets the manager of alpha open every alpha page', async () => {
    for (const path of [
      '/admin',
      '/admin/partners/alpha',
      '/admin/partners/alpha/integrations/weibo',
      '/admin/partners/alpha/preview',
      '/admin/audit',
      '/admin/audit?partner=alpha',
    ]) {
      const page = await alphaManager.go(`${gw.issuer}${path}`);
      assert.equal(page.status, 200, path);
      assert.equal(page.url.pathname, new URL(path, gw.issuer).pathname, path);
    }
  });

  for (const partner of ['beta', 'nowhere']) {
    it(`shows the manager of alpha a 403 page for every page of ${partner}, and nothing changes`, async () => {
      const before = await snapshot(gw, 'beta');
      for (const path of [
        `/admin/partners/${partner}`,
        `/admin/partners/${partner}/integrations/weibo`,
        `/admin/partners/${partner}/integrations/sohu`,
        `/admin/partners/${partner}/preview?at=2013-09-20T10:00%2B08:00`,
        `/admin/audit?partner=${partner}`,
      ]) {
        const page = await alphaManager.go(`${gw.issuer}${path}`);
        assert.equal(page.status, 403, path);
        assert.match(page.html, /data-error-code="ERR_FORBIDDEN"/, path);
        assert.match(page.html, /You do not manage this partner/);
        assert.doesNotMatch(page.html, /Beta Shop|贝塔商店/, `${path} shows nothing of beta`);
      }
      assert.deepEqual(await snapshot(gw, 'beta'), before);
    });

    it(`refuses the manager of alpha any schedule POST to ${partner} with 403, and nothing changes`, async () => {
      const before = await snapshot(gw, 'beta');
      const own = await alphaManager.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
      const body = formFields(own, '/integrations/weibo');
      for (const [k, v] of Object.entries({ ...SCHEDULE, cutoffAt: '2013-09-01T00:00+08:00', effectiveImmediately: 'on' })) body.set(k, v);
      for (const provider of ['weibo', 'qq']) {
        const page = await alphaManager.go(`${gw.issuer}/admin/partners/${partner}/integrations/${provider}`, { method: 'POST', body });
        assert.equal(page.status, 403);
        assert.match(page.html, /data-error-code="ERR_FORBIDDEN"/);
      }
      assert.deepEqual(await snapshot(gw, 'beta'), before, 'partner document and audit count unchanged');
    });
  }

  it('shows the operator a 404 page for a partner that does not exist and for the internal partner', async () => {
    for (const path of [
      '/admin/partners/nowhere',
      '/admin/partners/denglu',
      '/admin/partners/denglu/integrations/weibo',
      '/admin/partners/alpha/integrations/myspace',
      '/admin/no-such-page',
    ]) {
      const page = await operator.go(`${gw.issuer}${path}`);
      assert.equal(page.status, 404, path);
      assert.match(page.html, /data-error-code="ERR_NOT_FOUND"/);
    }
  });

  it('refuses a schedule POST without a valid CSRF token, and nothing changes', async () => {
    const before = await snapshot(gw, 'alpha');
    const form = await alphaManager.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    const operatorForm = await operator.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    const someoneElsesToken = formFields(operatorForm, '/integrations/weibo').get('_csrf')!;
    for (const csrf of [null, '', 'forged.token', someoneElsesToken]) {
      const page = await submitForm(alphaManager, form, '/integrations/weibo', { ...SCHEDULE, _csrf: csrf });
      assert.equal(page.status, 403, String(csrf));
      assert.match(page.html, /data-error-code="ERR_CSRF"/);
      assert.match(page.html, /nothing was changed/);
    }
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('sends a schedule POST without a session to the sign-in form, and nothing changes', async () => {
    const before = await snapshot(gw, 'alpha');
    const stranger = adminBrowser();
    const form = await alphaManager.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`);
    const body = formFields(form, '/integrations/weibo');
    for (const [k, v] of Object.entries(SCHEDULE)) body.set(k, v);
    const page = await stranger.go(`${gw.issuer}/admin/partners/alpha/integrations/weibo`, { method: 'POST', body });
    assert.equal(page.url.pathname, '/admin/login');
    assert.deepEqual(await snapshot(gw, 'alpha'), before);
  });

  it('sends the security headers and no inline script or style on every admin page', async () => {
    for (const path of [
      '/admin/login',
      '/admin',
      '/admin/partners/alpha',
      '/admin/partners/alpha/integrations/weibo',
      '/admin/partners/alpha/preview',
      '/admin/audit',
      '/admin/partners/beta',
    ]) {
      const page = await alphaManager.go(`${gw.issuer}${path}`);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /style-src 'self'/, path);
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(page.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(page.headers.get('cache-control'), 'no-store', path);
      assert.doesNotMatch(page.html, /<script|\sstyle=|<style|\son[a-z]+=/i, path);
    }
  });
});
