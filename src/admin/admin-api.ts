// The admin API mounted at /api/admin: rate limit per IP, the public OpenAPI document, bearer
// authentication, JSON bodies (32 kB at most), the partner, integration, signing key, webhook and account routes, and JSON
// errors for everything including unknown routes.

import express, { type Router } from 'express';
import type { AppDeps } from '../app.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import type { UpstreamRevoker } from '../accounts/upstream-revoke.ts';
import { DEFAULTS } from '../../config/defaults.ts';
import { authenticate } from './auth.ts';
import { adminContext } from './context.ts';
import { adminErrorHandler, apiNotFound, noStore, requireJson } from './http-errors.ts';
import { OPENAPI } from './openapi.ts';
import { adminRateLimit } from './rate-limit.ts';
import { storeUnavailable } from '../http/store-unavailable.ts';
import { integrationRoutes } from './routes-integrations.ts';
import { analyticsRoutes } from './routes-analytics.ts';
import { impactRoutes } from './routes-impact.ts';
import { keyRoutes } from './routes-keys.ts';
import type { SigningKeyRing } from '../oidc/signing-keys.ts';
import type { Sealer } from '../sealer.ts';
import { partnerRoutes } from './routes-partners.ts';
import { webhookRoutes } from './routes-webhooks.ts';
import { accountRoutes } from './routes-accounts.ts';

export function adminApi(deps: AppDeps, signingKeys: SigningKeyRing, hashes: HashQueue, webhookSecrets: Sealer, grants: UpstreamRevoker): Router {
  const ctx = adminContext(deps, hashes, webhookSecrets, grants);
  const router = express.Router();
  router.use(noStore);
  router.use(adminRateLimit(deps, deps.config.admin.rateLimitPerMinute));
  router.get('/openapi.json', (_req, res) => {
    res.json(OPENAPI);
  });
  router.use(authenticate(ctx));
  router.use(requireJson, express.json({ limit: DEFAULTS.adminBodyLimit, strict: true }));
  partnerRoutes(router, ctx);
  integrationRoutes(router, ctx);
  impactRoutes(router, ctx);
  analyticsRoutes(router, ctx);
  keyRoutes(router, ctx, signingKeys);
  webhookRoutes(router, ctx);
  accountRoutes(router, ctx);
  router.use(apiNotFound);
  router.use(storeUnavailable(deps.log));
  router.use(adminErrorHandler(deps.log, { provider: (id) => ctx.descriptors.get(id)?.label['zh-CN'] ?? id }));
  return router;
}
