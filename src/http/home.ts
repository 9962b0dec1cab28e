// The gateway's home page: what Denglu is, the discovery URL, and in the sandbox the demo shops.

import type { Request, Response } from 'express';
import type { Renderer } from './render.ts';
import { pageLocale } from '../broker/locale.ts';

export function homeRoute(renderer: Renderer, shops: { name: string; url: string }[]) {
  return async (req: Request, res: Response): Promise<void> => {
    const locale = pageLocale(req);
    res.type('html').send(await renderer.render('home', { locale, requestId: String(res.getHeader('x-request-id') ?? '') }, { shops }));
  };
}
