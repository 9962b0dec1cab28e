// The gateway's home page: what Denglu is, the discovery URL, and in the sandbox the demo shops.

import type { Request, Response } from 'express';
import { pickLocale } from '../i18n/locale.ts';
import type { Renderer } from './render.ts';

export function homeRoute(renderer: Renderer, shops: { name: string; url: string }[]) {
  return async (req: Request, res: Response): Promise<void> => {
    const locale = pickLocale({ acceptLanguage: req.get('accept-language'), uiLocales: req.query.ui_locales });
    res.type('html').send(await renderer.render('home', { locale, requestId: String(res.getHeader('x-request-id') ?? '') }, { shops }));
  };
}
