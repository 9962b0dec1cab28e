// How a journey moves: a click (or form submit) that leads to another page waits for the load of a new
// document at an accepted URL — never for a URL the browser may already be on — so redirect chains and
// self-submitting forms in between are followed by the browser itself.

import type { Locator, Page } from 'playwright-core';

export type UrlCheck = (url: URL) => boolean;

/** A URL check: this origin, and the path when given (exact string or pattern). */
export function at(origin: string, path?: string | RegExp): UrlCheck {
  return (url) => url.origin === origin && (path === undefined || (typeof path === 'string' ? url.pathname === path : path.test(url.pathname)));
}

export function here(page: Page): URL {
  return new URL(page.url());
}

/** Clicks `target` and waits until a new document whose URL passes `accept` has loaded. */
export async function clickTo(page: Page, target: Locator, accept: UrlCheck): Promise<URL> {
  const loaded = page.waitForEvent('load', { predicate: (p) => accept(here(p)) });
  await target.click();
  await loaded;
  return here(page);
}

/** Opens `url` by typing it (a bookmark, a documented link) and waits for its load. */
export async function visit(page: Page, url: string): Promise<URL> {
  await page.goto(url, { waitUntil: 'load' });
  return here(page);
}
