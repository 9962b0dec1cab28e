// Signing in to and out of the admin pages. The form takes a manager id and secret (or the whole
// `<id>.<secret>` token), or "operator" and the operator token, checked exactly like the admin API's
// bearer tokens (scrypt in the bounded hash queue, constant time, the same work for an unknown id; a
// malformed secret is refused without hashing). Every failure shows the same
// message; failures are throttled per (IP, id) and per IP. The sign-in form's CSRF token is bound to a
// pre-sign-in cookie; a successful sign-in starts a fresh session (never reusing an id sent by the browser).

import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { GatewayError } from '../../errors.ts';
import { principalFor } from '../auth.ts';
import { adminTranslator } from './messages.ts';
import { noStore, renderPage, requestIdOf, requireSession, uiLocale, type PagesContext } from './page.ts';
import { dropSession, endSession, sessionPrincipal, startSession } from './session.ts';

const PRE_COOKIE = 'dl_admin_pre';

/** Where to go after signing in: only admin pages of this site. */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a return path with control characters is refused
  if (!/^\/admin(?:[/?]|$)/.test(value) || /[\\\x00-\x20\x7f]/.test(value)) return undefined;
  if (/^\/admin\/log(?:in|out)\b/.test(value)) return undefined;
  return value;
}

export function signInRoutes(router: Router, ctx: PagesContext): void {
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 });
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.secureCookies, path: '/admin' };

  /** Binds the sign-in form's CSRF token to a random pre-sign-in cookie. */
  const preSignIn = (req: Request, res: Response, next: NextFunction): void => {
    let pre = (req.cookies as Record<string, unknown> | undefined)?.[PRE_COOKIE];
    if (typeof pre !== 'string' || !/^[A-Za-z0-9_-]{32}$/.test(pre)) {
      // A form posted without the cookie its token is bound to did not come from this sign-in page.
      if (req.method !== 'GET') return next(new GatewayError('ERR_CSRF', 'the sign-in form has no pre-sign-in cookie', { status: 403 }));
      pre = randomBytes(24).toString('base64url');
      res.cookie(PRE_COOKIE, pre, { ...cookieOptions, maxAge: 60 * 60 * 1000 });
      req.cookies = { ...req.cookies, [PRE_COOKIE]: pre };
    }
    ctx.csrfIds.set(req, pre as string);
    next();
  };

  const loginPage = (req: Request, res: Response, locals: { next?: string; user?: string; error?: string; info?: string }, status = 200) =>
    renderPage(ctx, req, res, 'login', { next: locals.next ?? '', user: locals.user ?? '', error: locals.error, info: locals.info }, status);

  router.get('/login', noStore, preSignIn, async (req, res) => {
    const next = safeNext(req.query.next);
    if (await sessionPrincipal(ctx, req)) return res.redirect(303, next ?? '/admin');
    const m = adminTranslator(uiLocale(req));
    const info = req.query.loggedOut ? m('login.loggedOut') : req.query.expired ? m('login.expired') : undefined;
    await loginPage(req, res, { ...(next ? { next } : {}), ...(info ? { info } : {}) });
  });

  router.post('/login', noStore, form, preSignIn, ctx.csrf.protect, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = typeof body.user === 'string' ? body.user.trim() : '';
    const secret = typeof body.secret === 'string' ? body.secret.trim() : '';
    const next = safeNext(body.next);
    const ip = req.ip ?? '';
    const failed = adminTranslator(uiLocale(req))('login.failed');
    const blockedFor = await ctx.throttle.blockedFor(ip, user);
    if (blockedFor > 0) {
      res.set('Retry-After', String(blockedFor));
      return loginPage(req, res, { user, error: failed, ...(next ? { next } : {}) }, 429);
    }
    const principal = await verify(ctx, user, secret);
    if (!principal) {
      await ctx.throttle.fail(ip, user);
      ctx.log.info({ reqId: requestIdOf(res), user: user.slice(0, 60) }, 'admin sign-in refused');
      return loginPage(req, res, { user, error: failed, ...(next ? { next } : {}) }, 401);
    }
    await dropSession(ctx, req);
    await startSession(ctx, res, principal);
    res.clearCookie(PRE_COOKIE, cookieOptions);
    ctx.log.info({ reqId: requestIdOf(res), admin: `${principal.kind}:${principal.actor.id}` }, 'admin signed in');
    res.redirect(303, next ?? '/admin');
  });

  router.post('/logout', noStore, requireSession(ctx), form, ctx.csrf.protect, async (req, res) => {
    await endSession(ctx, req, res);
    res.redirect(303, '/admin/login?loggedOut=1');
  });
}

async function verify(ctx: PagesContext, user: string, secret: string) {
  if (!user || !secret || user.length > 100 || secret.length > 600) return undefined;
  if (user === 'operator') {
    const principal = await principalFor(ctx, `Bearer ${secret}`);
    return principal?.kind === 'operator' ? principal : undefined;
  }
  const token = secret.startsWith(`${user}.`) ? secret : `${user}.${secret}`;
  const principal = await principalFor(ctx, `Bearer ${token}`);
  return principal?.kind === 'manager' && principal.actor.id === user ? principal : undefined;
}
