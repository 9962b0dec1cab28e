// The admin pages mounted at /admin: server-rendered (EJS, auto-escaped, zh-CN/en), for the operator and
// partner managers with the admin API's credentials and roles. Sign-in starts a cookie session; every
// other page needs one; every POST needs the CSRF token (purpose "admin"); requests are rate limited
// per IP like the admin API; errors are HTML pages. See src/admin/pages/README.md.

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AppDeps } from '../../app.ts';
import { GatewayError } from '../../errors.ts';
import { createCsrf } from '../../http/csrf.ts';
import { WindowCounter } from '../../http/window-counter.ts';
import { storeUnavailable } from '../../http/store-unavailable.ts';
import type { Renderer } from '../../http/render.ts';
import type { HashQueue } from '../../accounts/hash-queue.ts';
import { adminContext } from '../context.ts';
import { auditRoutes } from './audit-routes.ts';
import { LoginThrottle } from './login-throttle.ts';
import { noStore, pageErrors, pageNotFound, requireSession, type PagesContext } from './page.ts';
import { partnerRoutes } from './partner-routes.ts';
import { previewRoutes } from './preview-routes.ts';
import { impactRoutes } from './impact-routes.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { brandRoutes } from './brand-routes.ts';
import { webhookPageRoutes } from './webhook-routes.ts';
import { signInRoutes } from './sign-in-routes.ts';
import type { Sealer } from '../../sealer.ts';
import type { UpstreamRevoker } from '../../accounts/upstream-revoke.ts';

export interface AdminPagesWeb {
  renderer: Renderer;
  cookieKeys: string[];
  secureCookies: boolean;
  hashes: HashQueue;
  webhookSecrets: Sealer;
  grants: UpstreamRevoker;
}

export function adminPages(deps: AppDeps, web: AdminPagesWeb): Router {
  const csrfIds = new WeakMap<Request, string>();
  const ctx: PagesContext = {
    ...adminContext(deps, web.hashes, web.webhookSecrets, web.grants),
    renderer: web.renderer,
    csrf: createCsrf({ cookieKeys: web.cookieKeys, purpose: 'admin', secure: web.secureCookies, sessionId: (req) => csrfIds.get(req) ?? '' }),
    csrfIds,
    secureCookies: web.secureCookies,
    throttle: new LoginThrottle(deps),
  };
  const router = express.Router();
  router.use(noStore);
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.config.admin.rateLimitPerMinute,
      // Counted in the Store: every instance counts together (src/http/window-counter.ts).
      store: new WindowCounter(deps, 'admin-pages', 60_000),
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req: Request, _res: Response, next: NextFunction) =>
        next(new GatewayError('ERR_RATE_LIMITED', 'too many admin requests from this address', { status: 429 })),
    }),
  );
  signInRoutes(router, ctx);
  router.use(requireSession(ctx));
  partnerRoutes(router, ctx);
  scheduleRoutes(router, ctx);
  brandRoutes(router, ctx);
  webhookPageRoutes(router, ctx);
  previewRoutes(router, ctx);
  impactRoutes(router, ctx);
  auditRoutes(router, ctx);
  router.use(pageNotFound);
  router.use(storeUnavailable(deps.log, { renderer: web.renderer }));
  router.use(pageErrors(ctx));
  return router;
}
