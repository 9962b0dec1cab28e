// oidc-provider answers a path it has no route for (`/auth/x/y`, `/session/end/x`, a GET of `/token`,
// and anything else that reaches it last) with koa's plain-text "Not Found". This koa middleware, added
// with provider.use(), answers those with Denglu's own 404 instead: the error page in the shopper's
// language for browsers, Denglu's JSON error for everything else.

import type { KoaContextWithOIDC } from 'oidc-provider';
import { pickLocale } from '../i18n/locale.ts';
import { translator } from '../i18n/messages.ts';
import type { Renderer } from '../http/render.ts';

export function notFoundPage(renderer: Renderer) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.status !== 404 || ctx.body) return;
    const header = ctx.res.getHeader('x-request-id');
    const requestId = typeof header === 'string' ? header : undefined;
    ctx.set('cache-control', 'no-store');
    if (!ctx.accepts('html')) {
      ctx.status = 404;
      ctx.body = { error: 'ERR_NOT_FOUND', message: 'no such page', ...(requestId ? { requestId } : {}) };
      return;
    }
    const locale = pickLocale({ acceptLanguage: ctx.get('accept-language') });
    const t = translator(locale);
    ctx.status = 404;
    ctx.type = 'html';
    ctx.body = await renderer.render(
      'error',
      { locale, ...(requestId ? { requestId } : {}) },
      {
        code: 'ERR_NOT_FOUND',
        message: t('error.ERR_NOT_FOUND'),
        actions: [{ href: '/', label: t('error.home') }],
      },
    );
  };
}
