// Admin routes for the ID token signing keys, the operator's alone: the keys in their stages (never key
// material) and rotation. A rotation answers 409 while the next key is younger than the publish lead,
// unless `force` is set; it is audited as `key.rotate` in the same write.

import type { Router } from 'express';
import type { KeyView } from '../oidc/key-stages.ts';
import type { SigningKeyRing } from '../oidc/signing-keys.ts';
import { principalOf, requireOperator } from './auth.ts';
import type { AdminContext } from './context.ts';
import { flag, jsonObject } from './validate.ts';
import { parseBody } from './zod-problems.ts';
import { instant } from './views.ts';

const UTC = 'UTC';
/** `POST /keys/rotate`. */
export const ROTATE_BODY = jsonObject({ force: flag() });

function keyView(k: KeyView): Record<string, unknown> {
  return {
    kid: k.kid,
    stage: k.stage,
    alg: k.alg,
    ...instant('createdAt', k.createdAt, UTC),
    ...instant('activatedAt', k.activatedAt, UTC),
    ...instant('retiredAt', k.retiredAt, UTC),
    ...instant('signsFrom', k.signsFrom, UTC),
    ...instant('removedAt', k.removedAt, UTC),
  };
}

export function keysView(keys: SigningKeyRing, now: number): Record<string, unknown> {
  const p = keys.policy;
  return {
    ...instant('now', now, UTC),
    policy: {
      publishLeadSeconds: p.publishLeadMs / 1000,
      retentionSeconds: p.retentionMs / 1000,
      rotationDays: p.rotateEveryMs === undefined ? null : p.rotateEveryMs / 86_400_000,
    },
    keys: keys.views().map(keyView),
  };
}

export function keyRoutes(router: Router, ctx: AdminContext, keys: SigningKeyRing): void {
  router.get('/keys', requireOperator, (_req, res) => {
    res.json(keysView(keys, ctx.clock.now()));
  });

  router.post('/keys/rotate', requireOperator, async (req, res) => {
    const { force } = parseBody(ROTATE_BODY, req.body ?? {});
    await keys.rotate(principalOf(res).actor, { force });
    res.json(keysView(keys, ctx.clock.now()));
  });
}
