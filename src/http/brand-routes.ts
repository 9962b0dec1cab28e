// The shops' brand assets, public and cacheable: `/brand/<partner>/logo` (the PNG or SVG the partner
// uploaded, with its type, nosniff, and for SVG a CSP that lets it draw and nothing else) and
// `/brand/<partner>/style.css` (the accent colour and its readable text colour as CSS variables, since
// the CSP forbids inline styles).

import express, { type Router } from 'express';
import { accentOf, logoOf } from '../partners/brand.ts';
import { getPartner } from '../partners/partners.ts';
import type { Store } from '../store/store.ts';

const MAX_AGE = 'public, max-age=300';

export function brandRoutes(store: Store): Router {
  const router = express.Router();

  router.get('/brand/:partner/logo', async (req, res, next) => {
    const partner = await getPartner(store, req.params.partner);
    const logo = partner && !partner.internal ? logoOf(partner) : undefined;
    if (!logo) return next();
    res.set({
      'content-type': logo.type,
      'x-content-type-options': 'nosniff',
      'cache-control': MAX_AGE,
      'content-disposition': 'inline; filename="logo"',
      ...(logo.type === 'image/svg+xml' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" } : {}),
    });
    res.end(logo.bytes);
  });

  router.get('/brand/:partner/style.css', async (req, res, next) => {
    const partner = await getPartner(store, req.params.partner);
    const accent = partner ? accentOf(partner) : undefined;
    if (!accent) return next();
    res.type('text/css').set('cache-control', MAX_AGE).send(`:root{--shop:${accent.accent};--shop-ink:${accent.text}}\n`);
  });

  return router;
}
