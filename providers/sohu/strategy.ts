// The Sohu adapter: standard authorization-code flow with PKCE at `<api>/oauth2/authorize` and
// `<api>/oauth2/access_token` (client credentials in the POST body), then `GET <api>/users/show.json
// ?access_token=…` for the person. Overrides only the token error parsing and the profile call.

import { TokenError } from 'passport-oauth2';
import { UpstreamError } from '../../src/errors.ts';
import type { AdapterOptions, UpstreamIdentity } from '../contract.ts';
import { BrokerStrategy } from '../shared/broker-strategy.ts';
import { UpstreamTimeoutError, type UpstreamResponse } from '../shared/upstream-http.ts';
import { descriptor } from './descriptor.ts';
import { identityFromUsersShow } from './profile.ts';

export class SohuStrategy extends BrokerStrategy {
  constructor(options: AdapterOptions) {
    const api = apiBase(options);
    super(descriptor, options, { authorizationURL: `${api}/oauth2/authorize`, tokenURL: `${api}/oauth2/access_token` });
  }

  /** Sohu token errors: `{"error","error_description","error_code","request"}` at 4xx (see README.md). */
  override parseErrorResponse(body: string, status: number): Error | null {
    const json = JSON.parse(body);
    if (!json || typeof json !== 'object' || typeof json.error !== 'string') return null;
    const details: string[] = [];
    if (typeof json.error_description === 'string') details.push(json.error_description);
    if (json.error_code !== undefined) details.push(`error_code ${String(json.error_code)}`);
    return new TokenError(`${json.error}${details.length ? `: ${details.join(', ')}` : ''} (HTTP ${status})`, json.error, undefined, status);
  }

  async loadIdentity(accessToken: string): Promise<UpstreamIdentity> {
    const url = new URL(`${this.baseUrl('api')}/users/show.json`);
    url.searchParams.set('access_token', accessToken);
    let res: UpstreamResponse;
    try {
      res = await this.http.request({ method: 'GET', url: url.toString() });
    } catch (err) {
      if (err instanceof UpstreamTimeoutError) throw new UpstreamError(descriptor.id, 'timeout', err.message, { cause: err });
      throw new UpstreamError(descriptor.id, 'userinfo', `users/show failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return identityFromUsersShow(res);
  }
}

function apiBase(options: AdapterOptions): string {
  const url = options.baseUrls.api;
  if (!url) throw new TypeError(`provider ${descriptor.id} has no base URL for "api"`);
  return url.replace(/\/+$/, '');
}
