// The phase is checked at every entry, end to end: a provider that does not sign in at a shop (upcoming,
// not offered, in grace) never gets a shopper in through the chooser, a hint, a direct start, a callback,
// single sign-on, or a link from the notice and migration pages — and a schedule that changes while the
// shopper is at the provider is enforced when they come back. Also: the notice at most once a day per
// account and shop (to the millisecond), the partner's first locale as the fallback language on every
// page, and a flow refused at exactly its expiry instant.
//
// Every test sets its own instant and uses its own shoppers; a test that changes a schedule puts it back.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestBrowser, type Page } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, redeem, startGateway, type Gateway, type TestShop, e2eClientId } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Account } from '../../src/accounts/account.ts';
import type { Integration, Partner } from '../../src/partners/partner.ts';
import type { PartnerSeed } from '../../src/partners/partners.ts';

const at = (iso: string) => Date.parse(iso);
const NOW = '2013-09-20T10:00:00+08:00';
const NOTICE = { noticeAt: at('2013-09-10T00:00:00+08:00'), cutoffAt: at('2013-09-25T00:00:00+08:00'), graceEndsAt: at('2013-10-25T00:00:00+08:00') };
const GRACE = { cutoffAt: at('2013-09-15T00:00:00+08:00'), graceEndsAt: at('2013-10-15T00:00:00+08:00') };
const UPCOMING = { startsAt: at('2013-10-01T00:00:00+08:00') };
const DAY = 24 * 60 * 60 * 1000;

/**
 * At NOW — alpha (zh-CN first): Weibo in notice, QQ live, Sohu upcoming. beta: Weibo in grace, QQ live,
 * Sohu upcoming. gamma (en first, third-party): Weibo in grace, QQ live, no Sohu. delta (en first,
 * first-party): Weibo in notice, QQ and Sohu live.
 */
function gatePartners(seeds: PartnerSeed[]): PartnerSeed[] {
  const dates: Record<string, Record<string, Partial<Integration>>> = {
    alpha: { weibo: NOTICE, sohu: UPCOMING },
    beta: { weibo: GRACE, sohu: UPCOMING },
    gamma: { weibo: GRACE },
    delta: { weibo: NOTICE },
  };
  const beta = seeds.find((p) => p.id === 'beta')!;
  const delta: PartnerSeed = {
    ...beta,
    id: 'delta',
    name: { 'zh-CN': '德尔塔商店', en: 'Delta Shop' },
    locales: ['en', 'zh-CN'],
    clients: [
      {
        client_id: 'delta-basic',
        client_secret: 'delta-basic-secret-0123456789abcdef',
        redirect_uris: ['https://delta-basic.shop.test/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
  };
  return [...seeds, delta].map((p) => ({ ...p, integrations: p.integrations.map((i) => ({ ...i, ...dates[p.id]?.[i.provider] })) }));
}

describe('e2e: the phase is checked at every entry', function () {
  let gw: Gateway;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock(NOW);
    gw = await startGateway({ clock, partners: gatePartners });
  });
  after(async () => {
    await gw.close();
  });

  const shop = (id: string): TestShop => gw.shops[`${id}-basic`]!;
  const atProvider = (provider: string) => (page: Page) => page.url.href.startsWith(gw.emulators[provider]!.url);

  function browser(lang = 'en'): TestBrowser {
    const b = new TestBrowser();
    b.acceptLanguage = lang;
    return b;
  }

  async function open(b: TestBrowser, s: TestShop, params: Record<string, string> = {}) {
    const request = await authRequest(s, params);
    return { request, page: await b.go(request.url, { stopAt: atShop(s) }) };
  }

  /** Signs `login` in with `provider` at `s`, choosing "later" on a notice; returns the browser holding the session. */
  async function signIn(s: TestShop, provider: string, login: string, b = browser()) {
    const { request, page } = await open(b, s, { provider });
    let back = await approveAtProvider(b, page, login, s);
    // A new shopper where Weibo is ending is asked "signed in before?": these shoppers are new, they say no.
    if (back.status === 200 && back.url.pathname.endsWith('/first-login')) back = await b.submit(back, {}, '/first-login/new', atShop(s));
    if (back.status === 200 && back.url.pathname.endsWith('/notice')) back = await b.submit(back, {}, '/continue', atShop(s));
    assert.equal(back.status, 0, `signed in at ${s.clientId}: ${back.status} ${back.url.href}\n${back.html.slice(0, 300)}`);
    return { browser: b, claims: (await redeem(s, back.url, request)).claims()! };
  }

  async function accountOf(provider: string, login: string): Promise<Account | undefined> {
    const key = gw.emulators[provider]!.emulator.identityKeysFor(login, e2eClientId(provider))[0]!;
    return (await gw.store.findOne<Account>('accounts', 'identity', key))?.value;
  }

  /** Changes one integration's dates for the duration of `body`, then puts the partner back as it was. */
  async function withSchedule(partnerId: string, provider: string, dates: Partial<Integration>, body: () => Promise<void>): Promise<void> {
    const saved = (await gw.store.get<Partner>('partners', partnerId))!;
    await gw.store.update<Partner>('partners', partnerId, (p) => ({
      ...p,
      integrations: p.integrations.map((i) => (i.provider === provider ? { ...i, ...dates } : i)),
    }));
    try {
      await body();
    } finally {
      await gw.store.update<Partner>('partners', partnerId, () => saved);
    }
  }

  function assertRefused(page: Page, code: string, status = 403): void {
    assert.equal(page.status, status, `refused with ${status}, got ${page.status} at ${page.url.href}\n${page.html.slice(0, 300)}`);
    assert.ok(page.url.href.startsWith(gw.issuer), `Denglu's page, not a provider's: ${page.url.href}`);
    assert.match(page.html, new RegExp(`data-error-code="${code}"`));
  }

  describe('an upcoming provider never signs in', () => {
    it('the chooser has no button for it', async () => {
      clock.set(NOW);
      const { page } = await open(browser(), shop('alpha'));
      assert.match(page.html, /data-provider="qq"/);
      assert.doesNotMatch(page.html, /data-provider="sohu"/);
    });

    it('a shop hint for it gets a refusal page, never the provider', async () => {
      clock.set(NOW);
      const { page } = await open(browser(), shop('alpha'), { provider: 'sohu' });
      assertRefused(page, 'ERR_PROVIDER_UNAVAILABLE');
      assert.match(page.html, /\/start\/qq"/, 'names the ways that work');
    });

    it('starting it straight from the interaction (no button) is refused', async () => {
      clock.set(NOW);
      const b = browser();
      const { page } = await open(b, shop('alpha'));
      const uid = page.url.pathname.split('/')[2]!;
      const started = await b.go(`${gw.issuer}/interaction/${uid}/start/sohu`, { stopAt: atShop(shop('alpha')) });
      assertRefused(started, 'ERR_PROVIDER_UNAVAILABLE');
    });

    it('a flow started while it was live and returning after its go-live moved later is refused, and creates nothing', async () => {
      clock.set(NOW);
      const b = browser();
      const { page } = await open(b, shop('delta'), { provider: 'sohu' });
      assert.ok(atProvider('sohu')(page), 'sent to Sohu while live');
      const accounts = await gw.store.count('accounts');
      await withSchedule('delta', 'sohu', { startsAt: at('2013-11-01T00:00:00+08:00') }, async () => {
        const back = await approveAtProvider(b, page, 'gate-late-starter', shop('delta'));
        assertRefused(back, 'ERR_PROVIDER_UNAVAILABLE');
      });
      assert.equal(await gw.store.count('accounts'), accounts, 'no account created');
    });
  });

  describe('single sign-on fails closed', () => {
    it('a session obtained through Sohu does not carry into a shop where Sohu is upcoming', async () => {
      clock.set(NOW);
      const { browser: b } = await signIn(shop('delta'), 'sohu', 'gate-sso-upcoming');
      for (const id of ['alpha', 'beta']) {
        const { page } = await open(b, shop(id));
        assert.equal(page.status, 200, `${id}: asked to sign in, not sent back with a code`);
        assert.match(page.html, /data-provider="qq"/, `${id}: the chooser`);
      }
      // ... while the same session still signs in silently where Sohu is live.
      assert.equal((await open(b, shop('delta'))).page.status, 0);
    });

    it('a session obtained through Sohu does not carry into a shop that does not offer Sohu', async () => {
      clock.set(NOW);
      const { browser: b } = await signIn(shop('delta'), 'sohu', 'gate-sso-not-offered');
      const { page } = await open(b, shop('gamma'));
      assert.equal(page.status, 200);
      assert.match(page.html, /data-provider="qq"/, 'the chooser, not the consent page');
      assert.doesNotMatch(page.html, /\/consent"/);
    });
  });

  describe('linking from the notice and migration pages checks the phase', () => {
    /** Signs `login` in with Weibo at `s` and stops on the page Denglu shows before the shop (notice or migration). */
    async function heldPage(s: TestShop, login: string, kind: 'notice' | 'migrate') {
      const b = browser();
      let page: Page;
      let request: Awaited<ReturnType<typeof open>>['request'];
      if (kind === 'notice') {
        ({ request, page } = await open(b, s, { provider: 'weibo' }));
      } else {
        let chooser: Page;
        ({ request, page: chooser } = await open(b, s));
        page = await b.click(chooser, '/migrate/weibo', atShop(s));
      }
      const held = await approveAtProvider(b, page, login, s);
      assert.equal(held.status, 200);
      assert.ok(held.url.pathname.endsWith(`/${kind}`), `on the ${kind} page: ${held.url.href}`);
      return { b, request, page: held, uid: held.url.pathname.split('/')[2]! };
    }

    async function weiboAccount(login: string): Promise<Account> {
      clock.set(NOW);
      await signIn(shop('delta'), 'weibo', login);
      return (await accountOf('weibo', login))!;
    }

    for (const [kind, partnerId] of [
      ['notice', 'alpha'],
      ['migrate', 'beta'],
    ] as const) {
      it(`${kind} page: offers only providers that sign in now; linking the upcoming one is refused and links nothing`, async () => {
        const account = await weiboAccount(`gate-${kind}-upcoming`);
        clock.set(NOW);
        const { b, page, uid } = await heldPage(shop(partnerId), `gate-${kind}-upcoming`, kind);
        assert.match(page.html, /data-link="qq"/);
        assert.doesNotMatch(page.html, /data-link="sohu"/);
        const refused = await b.go(`${gw.issuer}/interaction/${uid}/link/sohu`, { stopAt: atShop(shop(partnerId)) });
        assertRefused(refused, 'ERR_PROVIDER_UNAVAILABLE');
        // The refusal keeps the held sign-in: its way forward is back to the held page, never a plain
        // sign-in (which could lead into another shop account).
        assert.doesNotMatch(refused.html, /\/interaction\/[^"]+\/start\//, 'no plain sign-in offered from a held sign-in');
        assert.match(refused.html, new RegExp(`href="/interaction/${uid}/${kind}"`));
        assert.deepEqual(
          (await gw.store.get<Account>('accounts', account.id))!.identities.map((i) => i.provider),
          ['weibo'],
        );
      });

      it(`${kind} page: a replacement whose sign-in ended while the shopper was at the provider is refused on return; nothing is linked and no code reaches the shop`, async () => {
        const account = await weiboAccount(`gate-${kind}-ended`);
        clock.set(NOW);
        const { b, page } = await heldPage(shop(partnerId), `gate-${kind}-ended`, kind);
        const atQq = await b.click(page, '/link/qq', atShop(shop(partnerId)));
        assert.ok(atProvider('qq')(atQq), 'sent to QQ to link it');
        await withSchedule(partnerId, 'qq', { cutoffAt: clock.now() - 1000, graceEndsAt: clock.now() + DAY }, async () => {
          const back = await approveAtProvider(b, atQq, `gate-${kind}-ended-qq`, shop(partnerId));
          assert.notEqual(back.status, 0, 'no code reached the shop');
          assertRefused(back, 'ERR_PROVIDER_UNAVAILABLE');
        });
        assert.deepEqual(
          (await gw.store.get<Account>('accounts', account.id))!.identities.map((i) => i.provider),
          ['weibo'],
        );
        assert.equal(await accountOf('qq', `gate-${kind}-ended-qq`), undefined);
      });
    }
  });

  describe('the notice: at most once a day per account and shop', () => {
    /** A Weibo sign-in at alpha in a fresh browser: where does it land after the provider? */
    async function weiboAtAlpha(login: string) {
      const b = browser();
      const { request, page } = await open(b, shop('alpha'), { provider: 'weibo' });
      return { b, request, landed: await approveAtProvider(b, page, login, shop('alpha')) };
    }

    it('shown on the first sign-in; not again until exactly 24 hours after "later"; then shown again', async () => {
      const first = at(NOW);
      clock.set(first);
      const shown = await weiboAtAlpha('gate-daily');
      assert.equal(shown.landed.status, 200);
      assert.ok(shown.landed.url.pathname.endsWith('/notice'), 'the notice on the first sign-in');
      const back = await shown.b.submit(shown.landed, {}, '/continue', atShop(shop('alpha')));
      assert.equal(back.status, 0);
      const sub = (await redeem(shop('alpha'), back.url, shown.request)).claims()!.sub;

      for (const later of [first + 1, first + 8 * 3600_000, first + DAY - 1]) {
        clock.set(later);
        const again = await weiboAtAlpha('gate-daily');
        assert.equal(again.landed.status, 0, `straight back to the shop ${later - first} ms later, no notice (got ${again.landed.url.href})`);
        assert.ok(!again.landed.hops.some((h) => h.url.includes('/notice')), 'no notice hop');
        assert.equal((await redeem(shop('alpha'), again.landed.url, again.request)).claims()!.sub, sub);
      }

      clock.set(first + DAY);
      const nextDay = await weiboAtAlpha('gate-daily');
      assert.equal(nextDay.landed.status, 200);
      assert.ok(nextDay.landed.url.pathname.endsWith('/notice'), 'the notice again a day later');
    });

    it('"later" at one shop does not silence the notice at another', async () => {
      clock.set(NOW);
      const atAlpha = await weiboAtAlpha('gate-two-shops');
      assert.ok(atAlpha.landed.url.pathname.endsWith('/notice'));
      assert.equal((await atAlpha.b.submit(atAlpha.landed, {}, '/continue', atShop(shop('alpha')))).status, 0);
      const b = browser();
      const { page } = await open(b, shop('delta'), { provider: 'weibo' });
      const atDelta = await approveAtProvider(b, page, 'gate-two-shops', shop('delta'));
      assert.equal(atDelta.status, 200);
      assert.ok(atDelta.url.pathname.endsWith('/notice'), 'the notice at delta too');
    });
  });

  describe("the partner's first locale is the fallback language", () => {
    // A browser asking for a language Denglu does not speak, and no ui_locales from the shop.
    const FOREIGN = 'fr-FR,fr;q=0.9';
    /** A shop whose first locale is Chinese and one whose first is English, with the language each falls back to. */
    const CHINESE_AND_ENGLISH_SHOPS = [
      ['alpha', 'zh-CN'],
      ['delta', 'en'],
    ] as const;
    const lang = (page: Page) => /<html lang="([^"]+)">/.exec(page.html)?.[1];

    it('the chooser', async () => {
      clock.set(NOW);
      assert.equal(lang((await open(browser(FOREIGN), shop('alpha'))).page), 'zh-CN');
      assert.equal(lang((await open(browser(FOREIGN), shop('delta'))).page), 'en');
    });

    it('a refusal page', async () => {
      clock.set(NOW);
      for (const [id, expected] of CHINESE_AND_ENGLISH_SHOPS) {
        const { page } = await open(browser(FOREIGN), shop(id), { provider: 'nosuch' });
        assert.ok(page.status >= 400);
        assert.equal(lang(page), expected, id);
        // "Used QQ before?" where QQ is not in its migration window.
        const b = browser(FOREIGN);
        const { page: chooser } = await open(b, shop(id));
        const migrate = await b.go(`${gw.issuer}/interaction/${chooser.url.pathname.split('/')[2]}/migrate/qq`, { stopAt: atShop(shop(id)) });
        assertRefused(migrate, 'ERR_INTEGRATION_ENDED');
        assert.equal(lang(migrate), expected, `migration refusal at ${id}`);
      }
    });

    it("the failure page after a provider round trip (the flow's language)", async () => {
      clock.set(NOW);
      for (const [id, expected] of CHINESE_AND_ENGLISH_SHOPS) {
        const b = browser(FOREIGN);
        const { page } = await open(b, shop(id), { provider: 'weibo' });
        const denied = await b.submit(page, { login: `gate-locale-${id}`, decision: 'deny' }, undefined, atShop(shop(id)));
        assert.ok(denied.status >= 400, `a failure page, got ${denied.status}`);
        assert.equal(lang(denied), expected, id);
      }
    });

    it('the notice page and the migration page', async () => {
      clock.set(NOW);
      for (const [id, expected] of CHINESE_AND_ENGLISH_SHOPS) {
        const b = browser(FOREIGN);
        const { page } = await open(b, shop(id), { provider: 'weibo' });
        const notice = await approveAtProvider(b, page, 'gate-locale-notice', shop(id));
        assert.ok(notice.url.pathname.endsWith('/notice'));
        assert.equal(lang(notice), expected, `notice at ${id}`);
      }
      for (const [id, expected] of [
        ['beta', 'zh-CN'],
        ['gamma', 'en'],
      ] as const) {
        const b = browser(FOREIGN);
        const { page: chooser } = await open(b, shop(id));
        const migrate = await approveAtProvider(b, await b.click(chooser, '/migrate/weibo', atShop(shop(id))), 'gate-locale-notice', shop(id));
        assert.ok(migrate.url.pathname.endsWith('/migrate'), `migration page at ${id}: ${migrate.url.href}`);
        assert.equal(lang(migrate), expected, `migration at ${id}`);
      }
    });
  });

  describe('a flow expires at exactly its expiry instant', () => {
    const atCallback = (url: URL) => url.href.startsWith(`${gw.issuer}/cb/`);

    let lastBrowser: TestBrowser | undefined;
    async function callbackAfter(ms: number, login: string) {
      const started = at(NOW);
      clock.set(started);
      const b = browser();
      lastBrowser = b;
      const { request, page } = await open(b, shop('delta'), { provider: 'qq' });
      const callback = await b.submit(page, { login, decision: 'approve' }, undefined, atCallback);
      assert.equal(callback.status, 0);
      clock.set(started + ms);
      return { request, page: await b.go(callback.url, { stopAt: atShop(shop('delta')) }) };
    }

    it('one millisecond before the expiry the callback is accepted', async () => {
      const { request, page: accepted } = await callbackAfter(gw.config.flowTtlSeconds * 1000 - 1, 'gate-expiry-before');
      // Accepted: a new QQ shopper at a shop where Weibo is ending is asked "signed in before?" and says no.
      assert.match(accepted.url.pathname, /\/first-login$/);
      const page = await lastBrowser!.submit(accepted, {}, '/first-login/new', atShop(shop('delta')));
      assert.equal(page.status, 0);
      assert.equal((await redeem(shop('delta'), page.url, request)).claims()!.idp, 'qq');
    });

    it('at the expiry instant the callback is refused before any token request', async () => {
      const accounts = await gw.store.count('accounts');
      const { page } = await callbackAfter(gw.config.flowTtlSeconds * 1000, 'gate-expiry-at');
      assertRefused(page, 'ERR_FLOW_EXPIRED', 400);
      assert.equal(await gw.store.count('accounts'), accounts);
    });
  });
});

describe('e2e: single sign-on fails closed for a provider this deployment no longer configures', function () {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'denglu-gates-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a session obtained through Sohu does not sign in once Sohu is no longer configured (after a restart)', async () => {
    const clock = new ManualClock(NOW);
    const browser = new TestBrowser();
    let gw = await startGateway({ clock, dataDir });
    const port = Number(new URL(gw.issuer).port);
    const alpha = () => gw.shops['alpha-basic']!;
    try {
      await loginWith(gw, browser, 'alpha-basic', 'sohu', 'gate-unconfigured');
      const request = await authRequest(alpha());
      assert.equal((await browser.go(request.url, { stopAt: atShop(alpha()) })).status, 0, 'single sign-on while Sohu is configured');
    } finally {
      await gw.close({ keepData: true });
    }
    // The same data and issuer, without Sohu credentials (and without the sandbox, which would supply them).
    gw = await startGateway({ clock, dataDir, port, env: { SANDBOX: 'false', SOHU_CLIENT_ID: '', SOHU_CLIENT_SECRET: '', SOHU_BASE_URL: '' } });
    try {
      assert.equal(gw.config.providers.sohu, undefined, 'Sohu is not configured');
      const request = await authRequest(alpha());
      const page = await browser.go(request.url, { stopAt: atShop(alpha()) });
      assert.equal(page.status, 200, 'asked to sign in, not sent back with a code');
      assert.match(page.html, /data-provider="qq"/, 'the chooser');
      assert.doesNotMatch(page.html, /data-provider="sohu"/);
    } finally {
      await gw.close({ keepData: true });
    }
  });
});
