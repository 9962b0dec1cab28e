// Server-rendered pages: EJS templates from views/ (auto-escaped), given the shopper's locale, the
// translate function, the request id, the shop the page is for (header), the language switch and, in the
// sandbox, a banner with the simulated time. Works from
// express and from oidc-provider's koa context alike, because it only returns HTML.

import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Locale } from '../../providers/contract.ts';
import type { Clock } from '../clock.ts';
import { translator, type Translate } from '../i18n/messages.ts';
import { naturalInstant } from '../time/natural-date.ts';
import { languageLinks } from './locale-switch.ts';
import type { ShopHeader } from './shop-header.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

export interface PageContext {
  locale: Locale;
  requestId?: string;
  /** The shop the page is for (its name, logo, accent and home in the header); absent on Denglu's own pages. */
  shop?: ShopHeader;
  /** Where the language switch returns, when not this page (a page answering a provider's one-time callback). */
  back?: string;
}

export interface Renderer {
  render(view: string, page: PageContext, locals?: Record<string, unknown>): Promise<string>;
}

export interface RendererOptions {
  /** Show the sandbox banner on every page. */
  sandbox: boolean;
  /** Present when the gateway runs at a simulated instant: shown in the banner. */
  simulatedClock?: Clock;
  /** Zone the banner's simulated time is shown in. */
  timeZone?: string;
  cache: boolean;
}

export function createRenderer(options: RendererOptions): Renderer {
  const banner = (t: Translate, locale: Locale): string | undefined => {
    if (!options.sandbox) return undefined;
    const now = options.simulatedClock
      ? ' ' + t('sandbox.now', { now: naturalInstant(options.simulatedClock.now(), options.timeZone ?? 'Asia/Shanghai', locale) })
      : '';
    return t('sandbox.banner') + now;
  };
  return {
    async render(view, page, locals = {}) {
      const t = translator(page.locale);
      return ejs.renderFile(
        `${VIEWS_DIR}${view}.ejs`,
        {
          ...locals,
          t,
          locale: page.locale,
          requestId: page.requestId,
          sandboxBanner: banner(t, page.locale),
          shopHeader: page.shop,
          languages: languageLinks(page.locale, page.back),
        },
        { cache: options.cache, async: false, root: VIEWS_DIR },
      );
    },
  };
}
