// Alipay's adapter, implementing the provider contract directly (Alipay is not OAuth2-shaped): the
// browser goes to publicAppAuthorize.htm with `app_id`, `scope=auth_user`, `redirect_uri` and `state`;
// the callback brings `auth_code` (none: the person did not authorize); the code becomes a token through
// the signed gateway method `alipay.system.oauth.token`, and the profile comes from
// `alipay.user.info.share` unless Denglu already knows it. There is no client secret: the app's RSA
// private key signs, Alipay's public key checks (gateway-call.ts).

import { systemClock } from '../../src/clock.ts';
import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, AuthorizationRequest, CallbackOutcome, CallbackRequest, ProviderAdapter } from '../contract.ts';
import { UpstreamHttp } from '../shared/upstream-http.ts';
import { withNormalisedUrls } from '../shared/profile-fields.ts';
import { descriptor } from './descriptor.ts';
import { callGateway, type GatewayContext } from './gateway-call.ts';
import { alipayKeys, alipaySubject, readIds, toIdentity } from './identity.ts';
import { privateKeyFrom, publicKeyFrom } from './keys.ts';

/** Alipay documents `state` as at most 100 characters. */
const MAX_STATE_LENGTH = 100;

export function createAlipayAdapter(options: AdapterOptions): ProviderAdapter {
  const base = (role: string) => {
    const url = options.baseUrls[role];
    if (!url) throw new TypeError(`alipay: no base URL for "${role}"`);
    return url.replace(/\/+$/, '');
  };
  const key = (name: string) => {
    const value = options.extra?.[name];
    if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`alipay: the "${name}" setting is missing`);
    return value;
  };
  const openauth = base('openauth');
  const ctx: GatewayContext = {
    http: new UpstreamHttp({ timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes, provider: 'alipay', observe: options.observeUpstream }),
    gateway: base('gateway'),
    appId: options.clientId,
    appPrivateKey: privateKeyFrom(key('appPrivateKey'), 'ALIPAY_APP_PRIVATE_KEY'),
    alipayPublicKey: publicKeyFrom(key('alipayPublicKey'), 'ALIPAY_PUBLIC_KEY'),
    clock: options.clock ?? systemClock,
  };

  async function authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (request.state.length > MAX_STATE_LENGTH)
      throw new Error(`alipay: state is ${request.state.length} characters; Alipay takes at most ${MAX_STATE_LENGTH}`);
    const url = new URL(`${openauth}/oauth2/publicAppAuthorize.htm`);
    url.searchParams.set('app_id', options.clientId);
    url.searchParams.set('scope', (request.scope ?? descriptor.scope).join(','));
    url.searchParams.set('redirect_uri', request.callbackUrl);
    url.searchParams.set('state', request.state);
    return url.toString();
  }

  async function complete(request: CallbackRequest): Promise<CallbackOutcome> {
    const { params } = request;
    const code = params.auth_code;
    if (typeof code !== 'string' || code === '') {
      return { ok: false, error: new UpstreamError('alipay', 'provider_denied', 'the callback carries no auth_code: the person did not authorize') };
    }
    if (params.app_id !== undefined && params.app_id !== options.clientId) {
      return { ok: false, error: new UpstreamError('alipay', 'state_validate', 'the callback names another app_id than ours') };
    }
    const token = await callGateway(ctx, 'alipay.system.oauth.token', { grant_type: 'authorization_code', code }, 'token_exchange');
    if (typeof token.access_token !== 'string' || token.access_token === '') {
      throw new UpstreamError('alipay', 'token_exchange', 'alipay.system.oauth.token answered no "access_token"');
    }
    const ids = readIds(token, 'token_exchange', 'alipay.system.oauth.token');
    const keys = alipayKeys(options.clientId, ids);
    const known = await options.knownProfile?.(keys);
    if (known) {
      return {
        ok: true,
        identity: {
          provider: 'alipay',
          subject: alipaySubject(options.clientId, ids),
          keys,
          ...known,
          accessToken: token.access_token,
          profileFromCache: true,
        },
      };
    }
    const info = await callGateway(ctx, 'alipay.user.info.share', { auth_token: token.access_token }, 'userinfo');
    return { ok: true, identity: withNormalisedUrls({ ...toIdentity(options.clientId, ids, info), accessToken: token.access_token }) };
  }

  return {
    descriptor,
    authorizationUrl,
    async completeCallback(request) {
      try {
        return await complete(request);
      } catch (err) {
        if (err instanceof UpstreamError) return { ok: false, error: err };
        return {
          ok: false,
          error: new UpstreamError('alipay', 'token_exchange', `unexpected failure: ${(err as Error)?.message ?? String(err)}`, { cause: err }),
        };
      }
    },
  };
}
