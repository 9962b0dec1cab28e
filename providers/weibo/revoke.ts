// Revokes a Weibo grant (used when a shopper unlinks Weibo): POST /oauth2/revokeoauth2 with the access
// token as a form field; Weibo answers `{"result":"true"}` (a string). Anything else is a failure.

import { UpstreamError } from '../../src/errors.ts';
import type { UpstreamHttp } from '../shared/upstream-http.ts';
import { callWeibo } from './api-call.ts';

export async function revokeWeibo(http: UpstreamHttp, api: string, accessToken: string): Promise<void> {
  const json = await callWeibo(
    http,
    { method: 'POST', url: `${api}/oauth2/revokeoauth2`, body: new URLSearchParams({ access_token: accessToken }).toString() },
    'revokeoauth2',
    { fail: 'revoke', decode: 'revoke' },
  );
  if (json.result !== 'true' && json.result !== true) {
    throw new UpstreamError('weibo', 'revoke', `revokeoauth2 answered "result" ${JSON.stringify(json.result) ?? 'undefined'} instead of "true"`);
  }
}
