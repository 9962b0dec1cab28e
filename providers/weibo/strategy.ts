// Weibo's adapter. passport-oauth2 already fits the authorize redirect and the form POST token exchange
// (Weibo answers JSON as text/plain; node-oauth parses the body whatever its type). The quirks: scopes
// are comma-separated, token errors carry `error_code`, and the person is identified by the uid that
// get_token_info vouches for after checking its appkey is ours (never the token response's uid alone).

import { TokenError } from 'passport-oauth2';
import type { AdapterOptions, UpstreamIdentity } from '../contract.ts';
import { BrokerStrategy } from '../shared/broker-strategy.ts';
import { apiBase, callWeibo, describeWeiboError, isWeiboError, parseObject } from './api-call.ts';
import { descriptor } from './descriptor.ts';
import { readTokenInfo, toIdentity, weiboKeys } from './identity.ts';

export { revokeWeibo } from './revoke.ts';

export class WeiboStrategy extends BrokerStrategy {
  constructor(options: AdapterOptions) {
    const api = apiBase(options.baseUrls);
    super(descriptor, options, { authorizationURL: `${api}/oauth2/authorize`, tokenURL: `${api}/oauth2/access_token` }, { scopeSeparator: ',' });
  }

  /** Token endpoint errors (`{error, error_code, request, error_uri, error_description}`) keep their error_code. */
  override parseErrorResponse(body: string, status: number): Error | null {
    const json = parseObject(body);
    if (!json || !isWeiboError(json)) return null;
    const error = typeof json.error === 'string' ? json.error : 'weibo_error';
    const uri = typeof json.error_uri === 'string' ? json.error_uri : undefined;
    return new TokenError(`${describeWeiboError(json)} (HTTP ${status})`, error, uri, status);
  }

  async loadIdentity(accessToken: string): Promise<UpstreamIdentity> {
    const api = this.baseUrl('api');
    const info = await callWeibo(
      this.http,
      { method: 'POST', url: `${api}/oauth2/get_token_info`, body: new URLSearchParams({ access_token: accessToken }).toString() },
      'get_token_info',
      { fail: 'token_verify', decode: 'token_verify' },
    );
    const uid = readTokenInfo(info, this.options.clientId);
    const known = await this.options.knownProfile?.(weiboKeys(uid));
    if (known) return { provider: 'weibo', subject: uid, keys: weiboKeys(uid), ...known, profileFromCache: true };
    const show = new URL(`${api}/2/users/show.json`);
    show.searchParams.set('uid', uid);
    show.searchParams.set('access_token', accessToken);
    const user = await callWeibo(this.http, { method: 'GET', url: show.toString() }, 'users/show', { fail: 'userinfo', decode: 'profile_decode' });
    return toIdentity(uid, user);
  }
}
