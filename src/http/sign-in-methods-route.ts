// The public, cacheable description of a shop's sign-in methods for shops that draw their own buttons:
// GET /clients/<client_id>/sign-in-methods[?at=<instant>][&locale=zh-CN|en]. No credentials, nothing but
// what the shop's own shoppers see. A cache may keep it for a short while, never past the next phase
// change; the marks it links to (/static/marks/<id>.svg) may be shown on the shop's own pages.

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Clock, EpochMs } from '../clock.ts';
import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { LOCALES } from '../i18n/locale.ts';
import { partnerOfClient } from '../partners/partners.ts';
import { describeSignInMethods } from '../partners/sign-in-methods.ts';
import type { Store } from '../store/store.ts';
import { parseInstant } from '../time/instant.ts';
import { VIEWS_DIR } from './render.ts';

/** The longest a cache may keep a description (a partner manager's schedule change shows within this). */
export const MAX_AGE_SECONDS = 60;

export interface SignInMethodsDeps {
  store: Store;
  clock: Clock;
  issuer: string;
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  configured: () => ReadonlySet<string>;
}

const MARKS_DIR = `${VIEWS_DIR}static/marks`;

function marks(): Set<string> {
  try {
    return new Set(readdirSync(MARKS_DIR).flatMap((f) => (f.endsWith('.svg') ? [f.slice(0, -4)] : [])));
  } catch {
    return new Set();
  }
}

/** Seconds a cache may keep the answer: short, and never past the next phase change after `now`. */
export function maxAgeSeconds(now: EpochMs, changesAtMs: EpochMs | undefined, explicitInstant: boolean): number {
  if (explicitInstant || changesAtMs === undefined) return MAX_AGE_SECONDS;
  return Math.max(0, Math.min(MAX_AGE_SECONDS, Math.floor((changesAtMs - now) / 1000)));
}

function problem(res: Response, status: number, error: string, message: string): void {
  res.status(status).set('cache-control', 'no-store').json({ error, message });
}

/** Shops' pages may show Denglu's marks: the default Cross-Origin-Resource-Policy (same-origin) would block them. */
export function marksAcrossOrigins(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
}

export function signInMethodsRoute(deps: SignInMethodsDeps): Router {
  const router = express.Router();
  const known = marks();
  // A provider without a mark of its own (one declared by configuration) gets the generic key, as on Denglu's pages.
  const logo = (id: string) => {
    const mark = known.has(id) ? id : known.has('generic') ? 'generic' : undefined;
    return mark ? `${deps.issuer}/static/marks/${mark}.svg` : undefined;
  };
  router.get('/clients/:clientId/sign-in-methods', async (req, res) => {
    // Any site may read it (a shop's single-page app included): it carries no credentials and no secrets.
    res.set({ 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' });
    const { at, locale } = req.query;
    let instant = deps.clock.now();
    if (at !== undefined) {
      const parsed = parseInstant(typeof at === 'string' && /^\d{1,15}$/.test(at) ? Number(at) : at);
      if (!parsed.ok) {
        // An offset's "+" left unencoded in the URL arrives as a space: say so, or the suggestion fails again.
        const plus =
          typeof at === 'string' && /:\d{2}(?:\.\d+)? \d{2}(?::?\d{2})?$/.test(at)
            ? ' (in a URL, write the offset\'s "+" as %2B: a bare "+" reads as a space)'
            : '';
        return problem(res, 400, 'invalid_request', `at: ${parsed.message}, or epoch milliseconds${plus}`);
      }
      instant = parsed.value;
    }
    if (locale !== undefined && !LOCALES.includes(locale as Locale)) {
      return problem(res, 400, 'invalid_request', `locale: must be one of ${LOCALES.join(', ')}`);
    }
    const clientId = String(req.params.clientId);
    const partner = await partnerOfClient(deps.store, clientId);
    if (!partner || partner.internal) return problem(res, 404, 'not_found', 'no shop has this client_id');
    const { description, changesAtMs } = describeSignInMethods(partner, {
      clientId,
      at: instant,
      locales: locale === undefined ? LOCALES : [locale as Locale],
      descriptors: deps.descriptors,
      configured: deps.configured(),
      logo,
    });
    const body = JSON.stringify(description);
    res
      .set({
        'cache-control': `public, max-age=${maxAgeSeconds(deps.clock.now(), changesAtMs, at !== undefined)}`,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      })
      .type('json')
      .send(body);
  });
  return router;
}
