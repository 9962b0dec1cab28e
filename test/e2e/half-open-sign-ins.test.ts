// One client must not fill the gateway with half-open sign-ins: a browser past SIGNINS_PER_BROWSER loses
// its oldest (deleted from the store; coming back says the sign-in ended), an address past SIGNINS_PER_IP
// gets a clear 429 page in the shopper's language and nothing is kept; finished sign-ins stop counting;
// one sign-in (or account linking from its account page) keeps at most five upstream flows. Every request
// here comes from 127.0.0.1.

import assert from 'node:assert/strict';
import { TestBrowser } from '../support/browser.ts';
import { approveAtProvider, atShop, authRequest, loginWith, startGateway, type Gateway } from '../support/gateway.ts';
import { ManualClock } from '../../src/clock.ts';
import { type CappedList, liveEntries } from '../../src/store/capped-list.ts';
import { accountPage, openConsole } from '../account/account-support.ts';

const PER_BROWSER = 4;
const PER_IP = 7;

describe('half-open sign-ins are capped per browser and per address', function () {
  /** Sign-ins counted as in progress, on every instance (src/broker/sign-ins-in-progress.ts keeps them in the store). */
  const signInsCounted = async () =>
    (await gw.store.list<CappedList>('signins')).filter((d) => d.id.startsWith('ip:')).reduce((n, d) => n + liveEntries(d.value, clock.now()).length, 0);
  let gw: Gateway;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock('2013-09-01T10:00:00+08:00');
    gw = await startGateway({ clock, env: { SIGNINS_PER_BROWSER: String(PER_BROWSER), SIGNINS_PER_IP: String(PER_IP) } });
  });
  beforeEach(() => {
    clock.advance(3 * 60 * 60_000); // every sign-in of an earlier test has expired
  });
  after(async () => {
    await gw.close();
  });

  const interactions = async () => (await gw.store.list<{ model: string }>('oidc_volatile')).filter((d) => d.value.model === 'Interaction').length;

  /** Starts a sign-in at alpha (the chooser); returns the page. */
  async function startSignIn(browser: TestBrowser) {
    const shop = gw.shops['alpha-basic']!;
    return browser.go((await authRequest(shop)).url, { stopAt: atShop(shop) });
  }

  it('one browser starting many sign-ins keeps only its newest; the oldest are deleted and say so', async () => {
    const browser = new TestBrowser();
    browser.acceptLanguage = 'en';
    const uids = [];
    for (let i = 0; i < 3 * PER_BROWSER; i++) {
      const page = await startSignIn(browser);
      assert.equal(page.status, 200, `sign-in ${i}`);
      uids.push(page.url.pathname.split('/')[2]!);
    }
    assert.equal(await interactions(), PER_BROWSER, 'only the newest are kept');
    const oldest = await browser.go(`${gw.issuer}/interaction/${uids[0]}`);
    assert.equal(oldest.status, 400);
    assert.match(oldest.html, /This sign-in has ended or expired/);
    const newest = await browser.go(`${gw.issuer}/interaction/${uids.at(-1)}`);
    assert.equal(newest.status, 200);
    assert.match(newest.html, /data-password-form="1"/);
  });

  it('past the cap of an address, new sign-ins get a clear 429 page (zh-CN and en) and nothing is kept', async () => {
    for (let i = 0; i < PER_IP; i++) assert.equal((await startSignIn(new TestBrowser())).status, 200, `sign-in ${i}`);
    const english = new TestBrowser();
    english.acceptLanguage = 'en';
    const refused = await startSignIn(english);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(refused.html, /Too many sign-ins are in progress from your network/);
    const chinese = await startSignIn(new TestBrowser());
    assert.equal(chinese.status, 429);
    assert.match(chinese.html, /同时进行中的登录太多了/);
    assert.equal(await interactions(), PER_IP, 'the refused sign-ins were not kept');
  });

  it('finished sign-ins stop counting: more logins than the cap all succeed', async () => {
    for (let i = 0; i < PER_IP + 3; i++) await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', `hana${i}`);
    assert.equal(await signInsCounted(), 0);
  });

  it('sign-ins that end in an error stop counting: more failed sign-ins than the cap, each back at the shop, then a login', async () => {
    // "Back to the shop" after a provider failure resumes the authorization with an error: oidc-provider
    // destroys the interaction without its 'interaction.ended' event. Counted as still in progress, such
    // sign-ins filled an address's cap (the soak saw every login refused after a few hundred faults).
    const shop = gw.shops['alpha-basic']!;
    for (let i = 0; i < PER_IP + 3; i++) {
      gw.emulators.weibo!.emulator.faults.set('access_token', 'status500', 1);
      const browser = new TestBrowser();
      const failed = await approveAtProvider(
        browser,
        await browser.go((await authRequest(shop, { provider: 'weibo' })).url, { stopAt: atShop(shop) }),
        `ines${i}`,
        shop,
      );
      assert.equal(failed.status, 502, 'the failure page');
      const back = await browser.submit(failed, {}, '/abort', atShop(shop));
      assert.equal(back.url.searchParams.get('error'), 'temporarily_unavailable', 'the shop got the error');
    }
    assert.equal(await signInsCounted(), 0, 'no failed sign-in still counts');
    await loginWith(gw, new TestBrowser(), 'alpha-basic', 'weibo', 'ines-after');
  });

  it('one sign-in keeps at most five upstream flows', async () => {
    const browser = new TestBrowser();
    const chooser = await startSignIn(browser);
    const uid = chooser.url.pathname.split('/')[2]!;
    const flowsBefore = await gw.store.count('flows');
    for (let i = 0; i < 9; i++) {
      const res = await browser.request('GET', `${gw.issuer}/interaction/${uid}/start/${i % 2 ? 'weibo' : 'qq'}`);
      assert.equal(res.status, 303);
      await res.arrayBuffer();
    }
    assert.equal((await gw.store.count('flows')) - flowsBefore, 5);
  });

  it('an account linking from its account page keeps at most five upstream flows', async () => {
    const browser = new TestBrowser();
    await openConsole(gw, browser, 'weibo', 'ivy');
    const atQq = (url: URL) => url.origin === gw.emulators.qq!.url;
    const flowsBefore = await gw.store.count('flows');
    for (let i = 0; i < 8; i++) {
      const page = await browser.submit(await accountPage(gw, browser), {}, '/account/link/qq', atQq);
      assert.equal(page.status, 0, 'sent to QQ');
    }
    assert.equal((await gw.store.count('flows')) - flowsBefore, 5);
  });
});
