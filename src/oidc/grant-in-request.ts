// The grant a request has just saved, kept on that request: a provider's callback finishes the login
// (saving the first-party shop's grant) and is then answered by oidc-provider's resume in place
// (src/oidc/resume-in-place.ts), whose loadExistingGrant would read that grant back.

import type { Grant } from 'oidc-provider';
import { requestMemo } from '../http/request-memo.ts';

export const grantInRequest = requestMemo<Grant>((grant) => grant.jti);
