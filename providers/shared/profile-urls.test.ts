// Every provider's profile URLs (avatars) reach Denglu only through the one normaliser: for each
// provider in the registry, an emulated user whose profile answers a hostile or broken avatar URL signs
// in, and the identity carries the URL parsed and re-serialised (https/http only) or no avatar at all.

import assert from 'node:assert/strict';
import { sandboxExtra } from '../../config/provider-settings.ts';
import { PROVIDERS } from '../index.ts';
import type { EmulatorApp } from '../contract.ts';
import { adapterOptions, CALLBACK, serveEmulator, signInUpstream, type ServedEmulator } from './testing.ts';
import { httpUrl } from './profile-fields.ts';

const APP: EmulatorApp = { clientId: '101000009', clientSecret: 'profile-url-secret', redirectUris: [CALLBACK], extra: { unionid: true } };

/** What a profile may answer as its avatar, and what Denglu must keep (undefined: no avatar). */
const CASES: { given: string; kept: string | undefined }[] = [
  { given: 'https://q.qlogo.cn/a.png?"><script>alert(1)</script>', kept: 'https://q.qlogo.cn/a.png?%22%3E%3Cscript%3Ealert(1)%3C/script%3E' },
  { given: 'http://tva1.sinaimg.cn/crop.0.0.180.180.180/a b.jpg', kept: 'http://tva1.sinaimg.cn/crop.0.0.180.180.180/a%20b.jpg' },
  { given: '  HTTPS://Avatar.Example:443/x/../y.png  ', kept: 'https://avatar.example/y.png' },
  { given: 'javascript:alert(document.cookie)', kept: undefined },
  { given: 'data:image/svg+xml,<svg onload=alert(1)>', kept: undefined },
  { given: '//evil.example/a.png', kept: undefined },
  { given: 'https://user:pass@avatar.example/a.png', kept: undefined },
  { given: 'not a url', kept: undefined },
  { given: `https://avatar.example/${'a'.repeat(3000)}.png`, kept: undefined },
];

describe('provider profile URLs: one normaliser for every provider', () => {
  it('httpUrl keeps only absolute http(s) URLs, parsed and re-serialised', () => {
    for (const c of CASES) assert.equal(httpUrl(c.given), c.kept, c.given);
    assert.equal(httpUrl(42), undefined);
    assert.equal(httpUrl(undefined), undefined);
  });

  for (const [id, module] of PROVIDERS) {
    describe(id, () => {
      let served: ServedEmulator;
      before(async () => {
        const users = CASES.map((c, i) => ({ login: `avatar-${i}`, name: `头像${i}`, extra: { avatarUrl: c.given } }));
        served = await serveEmulator(module.createEmulator({ apps: [APP], users }));
      });
      after(() => served.close());

      it(`${id}: a profile's avatar reaches the identity normalised, or not at all`, async () => {
        for (const [i, c] of CASES.entries()) {
          const strategy = module.createAdapter(
            adapterOptions(Object.keys(module.descriptor.baseUrls), served.url, {
              clientId: APP.clientId,
              clientSecret: APP.clientSecret,
              // The sandbox's options and keys (Alipay's throwaway key pairs, which its emulator also uses).
              extra: { unionid: true, ...sandboxExtra(module.descriptor) },
            }),
          );
          const identity = await signInUpstream(strategy, `avatar-${i}`);
          assert.equal(identity.avatar, c.kept, `${id} avatar for ${JSON.stringify(c.given.slice(0, 60))}`);
          assert.ok(!('avatar' in identity) || identity.avatar !== undefined, 'no avatar key without a value');
        }
      });
    });
  }
});
