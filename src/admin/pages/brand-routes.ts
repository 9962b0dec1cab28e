// The shop's brand on the admin pages (`/admin/partners/:id/brand`): its display names, accent colour and
// logo (uploaded as a file: the form is multipart, read by busboy with a hard size cap), saved through
// setBrand — the same rules and audit entry as `PUT /api/admin/partners/:id/brand`. Refused input
// re-renders the form with each problem (HTTP 400) and changes nothing.

import busboy from 'busboy';
import type { NextFunction, Request, Response, Router } from 'express';
import { GatewayError, ValidationError, type FieldProblem } from '../../errors.ts';
import { LOGO_MAX_BYTES } from '../../partners/brand.ts';
import type { Partner } from '../../partners/partner.ts';
import { setBrand } from '../partner-admin.ts';
import { problemText } from '../problem-text.ts';
import { adminTranslator, type AdminMessageKey } from './messages.ts';
import { pagePartner, principalOfPage, renderPage, uiLocale, type PagesContext } from './page.ts';

const TEXT_FIELDS = new Set(['_csrf', 'name.zh-CN', 'name.en', 'colour', 'clearLogo']);
const FIELD_LABELS: Record<string, AdminMessageKey> = { 'name.zh-CN': 'brand.name.zh', 'name.en': 'brand.name.en', colour: 'brand.colour', logo: 'brand.logo' };

/** Reads the multipart form into req.body: its text fields and the logo file as base64 (too large: a problem). */
function multipartForm(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('multipart/form-data')) return next(new GatewayError('ERR_VALIDATION', 'the brand form is sent as multipart/form-data', { status: 400 }));
  const body: Record<string, string> = {};
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024, fileSize: LOGO_MAX_BYTES + 1, parts: 12 } });
  } catch {
    return next(new GatewayError('ERR_VALIDATION', 'the brand form could not be read', { status: 400 }));
  }
  parser.on('field', (name, value) => {
    if (TEXT_FIELDS.has(name)) body[name] = value;
  });
  parser.on('file', (name, stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const bytes = Buffer.concat(chunks);
      if (name === 'logo' && bytes.length > 0) body.logo = bytes.toString('base64');
    });
  });
  parser.on('close', () => {
    req.body = body;
    next();
  });
  parser.on('error', () => next(new GatewayError('ERR_VALIDATION', 'the brand form could not be read', { status: 400 })));
  req.pipe(parser);
}

export function brandRoutes(router: Router, ctx: PagesContext): void {
  const show = async (req: Request, res: Response, partner: Partner, values: Record<string, string>, problems: FieldProblem[], status = 200) => {
    const m = adminTranslator(uiLocale(req));
    await renderPage(
      ctx,
      req,
      res,
      'brand',
      {
        title: m('brand.title', { shop: partner.name[uiLocale(req)] }),
        partner: { id: partner.id, hasLogo: Boolean(partner.brand?.logo) },
        values,
        // Each problem in the page language, its field by name.
        problems: problems.map((p) => ({ field: p.field, label: m(FIELD_LABELS[p.field] ?? 'brand.look'), message: problemText(p, uiLocale(req)) })),
        action: `/admin/partners/${partner.id}/brand`,
        saved: req.query.saved !== undefined,
      },
      status,
    );
  };
  const valuesOf = (p: Partner): Record<string, string> => ({ 'name.zh-CN': p.name['zh-CN'], 'name.en': p.name.en, colour: p.brand?.colour ?? '' });

  router.get('/partners/:id/brand', async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    await show(req, res, partner, valuesOf(partner), []);
  });

  router.post('/partners/:id/brand', multipartForm, ctx.csrf.protect, async (req, res) => {
    const partner = await pagePartner(ctx, res, String(req.params.id));
    const f = req.body as Record<string, string>;
    const colour = (f.colour ?? '').trim();
    const input = {
      name: { 'zh-CN': f['name.zh-CN'] ?? '', en: f['name.en'] ?? '' },
      colour: colour === '' ? null : colour,
      ...(f.logo ? { logo: f.logo } : f.clearLogo ? { logo: null } : {}),
    };
    try {
      await setBrand(ctx, principalOfPage(res).actor, partner.id, input);
      res.redirect(303, `/admin/partners/${partner.id}/brand?saved=1`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await show(req, res, partner, { 'name.zh-CN': input.name['zh-CN'], 'name.en': input.name.en, colour }, err.problems, 400);
    }
  });
}
