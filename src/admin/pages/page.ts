// What every admin page shares: the context (the admin API's context plus the renderer, CSRF, sessions
// and the sign-in throttle), the page language (Accept-Language), rendering with the navigation and a
// CSRF token, the session requirement (no session: to the sign-in page, nothing done), and the error
// page (403, 404, CSRF, rate limit, internal) in the page language. Admin pages are never cached.

import type { NextFunction, Request, Response } from 'express';
import type { Locale } from '../../../providers/contract.ts';
import { GatewayError } from '../../errors.ts';
import { pickLocale } from '../../i18n/locale.ts';
import type { Csrf } from '../../http/csrf.ts';
import type { Renderer } from '../../http/render.ts';
import type { Partner } from '../../partners/partner.ts';
import { listPartners } from '../../partners/partners.ts';
import { assertCanManage, type Principal } from '../auth.ts';
import { SLUG } from '../validate.ts';
import type { AdminContext } from '../context.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { adminTranslator, isAdminMessage, type AdminTranslate } from './messages.ts';
import { sessionCookie, sessionPrincipal } from './session.ts';
import { methodLabel } from '../../i18n/method-label.ts';

export interface PagesContext extends AdminContext {
  renderer: Renderer;
  csrf: Csrf;
  /** The identifier each request's CSRF token is bound to (the session, or the pre-sign-in cookie). */
  csrfIds: WeakMap<Request, string>;
  secureCookies: boolean;
  throttle: LoginThrottle;
}

export const requestIdOf = (res: Response): string => String(res.getHeader('x-request-id') ?? '');

export function uiLocale(req: Request): Locale {
  return pickLocale({ acceptLanguage: req.get('accept-language') });
}

export function principalOfPage(res: Response): Principal {
  return res.locals.adminPrincipal as Principal;
}

export function providerLabel(ctx: PagesContext, provider: string, locale: Locale): string {
  return methodLabel(ctx.descriptors, provider, locale);
}

/** Renders `views/admin/<view>.ejs` with the page language, translator `m`, navigation and CSRF token. */
export async function renderPage(ctx: PagesContext, req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): Promise<void> {
  const locale = uiLocale(req);
  const m = adminTranslator(locale);
  const principal = res.locals.adminPrincipal as Principal | undefined;
  const who = principal ? (principal.kind === 'operator' ? m('who.operator') : m('who.manager', { id: principal.actor.id })) : undefined;
  const html = await ctx.renderer.render(
    `admin/${view}`,
    { locale, requestId: requestIdOf(res) },
    {
      ...locals,
      m,
      who,
      csrf: ctx.csrfIds.has(req) ? ctx.csrf.token(req, res) : '',
    },
  );
  res.status(status).type('html').send(html);
}

export { noStore } from '../../http/no-store.ts';

/** Every admin page but sign-in needs a live session; GETs come back here after signing in. */
export function requireSession(ctx: PagesContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const principal = await sessionPrincipal(ctx, req);
    if (!principal) {
      const back = req.method === 'GET' ? `&next=${encodeURIComponent(req.originalUrl)}` : '';
      res.redirect(303, `/admin/login?expired=1${back}`);
      return;
    }
    res.locals.adminPrincipal = principal;
    ctx.csrfIds.set(req, sessionCookie(req)!);
    next();
  };
}

export function pageNotFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new GatewayError('ERR_NOT_FOUND', 'no such admin page', { status: 404 }));
}

/** The admin pages' last handler: an HTML page naming what went wrong, in the page language. */
export function pageErrors(ctx: PagesContext) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const status =
      err instanceof GatewayError ? err.status : typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    // A form over the size limit (express's body parser) is the sender's mistake, not ours.
    const tooLarge = (err as { type?: unknown })?.type === 'entity.too.large';
    const code = err instanceof GatewayError ? err.code : tooLarge ? 'ERR_TOO_LARGE' : 'ERR_INTERNAL';
    if (status >= 500) {
      ctx.log.error({ reqId: requestIdOf(res), code, err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'admin page failed');
    }
    if (res.headersSent) return;
    const key = `error.${code}`;
    const message = (m: AdminTranslate) => (isAdminMessage(key) ? m(key) : m('error.default'));
    await renderPage(ctx, req, res, 'error', { code, message: message(adminTranslator(uiLocale(req))) }, status);
  };
}

/** A partner the signed-in admin may see: managers get 403 for any other id (existing or not). */
export async function pagePartner(ctx: PagesContext, res: Response, id: string): Promise<Partner> {
  assertCanManage(principalOfPage(res), id);
  const partner = SLUG.test(id) ? await ctx.store.get<Partner>('partners', id) : undefined;
  // Denglu's own internal partner is kept in step by the gateway itself, not managed here.
  if (!partner || partner.internal) throw new GatewayError('ERR_NOT_FOUND', `partner "${id}" does not exist`, { status: 404 });
  return partner;
}

/** The partners the signed-in admin sees: all shops for the operator, their own for a manager. */
export async function visiblePartners(ctx: PagesContext, res: Response): Promise<Partner[]> {
  const principal = principalOfPage(res);
  return (await listPartners(ctx.store)).filter((p) => !p.internal && (principal.kind === 'operator' || principal.partners.has(p.id)));
}
