// Admin routes for partners, their OIDC clients and partner managers. Creating is the operator's;
// a manager may list and read only the partners they manage.

import type { Router } from 'express';
import { listPartners } from '../partners/partners.ts';
import { principalOf, requireOperator, requirePartnerAccess } from './auth.ts';
import { loadPartner, type AdminContext } from './context.ts';
import { createManager, listManagers, type ManagerView } from './managers.ts';
import { addClient, clientView, createPartner, setBrand } from './partner-admin.ts';
import { instant, partnerView } from './views.ts';

export function partnerRoutes(router: Router, ctx: AdminContext): void {
  router.post('/partners', requireOperator, async (req, res) => {
    const partner = await createPartner(ctx, principalOf(res).actor, req.body);
    res
      .status(201)
      .location(`${req.baseUrl}/partners/${partner.id}`)
      .json(partnerView(partner, ctx.clock.now(), ctx));
  });

  router.get('/partners', async (_req, res) => {
    const principal = principalOf(res);
    const now = ctx.clock.now();
    const partners = (await listPartners(ctx.store)).filter((p) => principal.kind === 'operator' || principal.partners.has(p.id));
    res.json({ partners: partners.map((p) => partnerView(p, now, ctx)) });
  });

  router.get('/partners/:id', requirePartnerAccess, async (req, res) => {
    const partner = await loadPartner(ctx, req.params.id as string);
    res.json(partnerView(partner, ctx.clock.now(), ctx));
  });

  // The shop's display name, accent colour and logo on shopper pages (its managers and the operator).
  router.put('/partners/:id/brand', requirePartnerAccess, async (req, res) => {
    await loadPartner(ctx, req.params.id as string);
    const partner = await setBrand(ctx, principalOf(res).actor, req.params.id as string, req.body);
    res.json(partnerView(partner, ctx.clock.now(), ctx));
  });

  router.post('/partners/:id/clients', requireOperator, async (req, res) => {
    await loadPartner(ctx, req.params.id as string);
    const { client } = await addClient(ctx, principalOf(res).actor, req.params.id as string, req.body);
    // The secret is shown here once and never again.
    res.status(201).json({ ...clientView(client), ...(client.client_secret ? { client_secret: client.client_secret } : {}) });
  });

  router.post('/managers', requireOperator, async (req, res) => {
    const { manager, token } = await createManager(ctx, principalOf(res).actor, req.body);
    // The token is shown here once and never again.
    res.status(201).json({ ...managerApiView(manager), token });
  });

  router.get('/managers', requireOperator, async (_req, res) => {
    res.json({ managers: (await listManagers(ctx.store)).map(managerApiView) });
  });
}

/** A manager as the API shows it: `createdAt` in UTC (a manager has no zone of its own) and `createdAtMs`. */
function managerApiView(manager: ManagerView): Record<string, unknown> {
  return { ...manager, ...instant('createdAt', manager.createdAt, 'UTC') };
}
