import { TestBrowser } from '../support/browser.ts';
import { startGateway, authRequest, atShop, approveAtProvider } from '../support/gateway.ts';
describe('scratch', () => {
  it('x', async () => {
    const gw = await startGateway();
    try {
      for (const hint of [true, false]) {
        const b = new TestBrowser();
        b.acceptLanguage = 'en';
        const shop = gw.shops['alpha-basic']!;
        const req = await authRequest(shop, hint ? { provider: 'weibo' } : {});
        let page = await b.go(req.url, { stopAt: atShop(shop) });
        if (!hint) page = await b.click(page, '/start/weibo', atShop(shop));
        page = await approveAtProvider(b, page, 'alice', shop, 'deny');
        console.log(page.status, page.url.href, page.headers.get('x-request-id'));
        console.log(page.html);
        const back = await b.submit(page, {}, '/abort', atShop(shop));
        console.log('BACK', back.status, back.url.href, back.html.slice(0, 2000));
        console.log(await b.jar.serialize());
      }
    } finally { await gw.close(); }
  });
});
