// The page context of a sign-in page: its language and request id, the shop it is for (the header: name,
// logo, way back to the shop) and, for a page answering a provider's one-time callback, where the language
// switch returns — the held page of the sign-in, its chooser, or the account page for a console link.

import type { Response } from 'express';
import { shopHeader } from '../http/shop-header.ts';
import type { PageContext } from '../http/render.ts';
import { requestIdOf } from '../log.ts';
import type { SignInState } from './steps.ts';

export function pageOf(res: Response, s: SignInState): PageContext {
  const uid = s.interaction?.uid;
  const back = !s.flow ? undefined : !uid ? '/account' : s.held ? `/interaction/${uid}/${s.held.pending.kind}` : `/interaction/${uid}?chooser`;
  return {
    locale: s.locale,
    requestId: requestIdOf(res),
    ...(s.partner ? { shop: shopHeader(s.partner, s.locale, s.interaction?.params.redirect_uri) } : {}),
    ...(back ? { back } : {}),
  };
}
