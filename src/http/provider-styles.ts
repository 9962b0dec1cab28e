// The providers' buttons as a stylesheet generated from their descriptors (the CSP forbids inline
// styles, and each provider's look is data in its folder): the brand colour, adjusted when needed so the
// label meets WCAG AA (src/partners/contrast.ts), and the provider's mark, drawn by us under
// views/static/marks/<id>.svg (a provider without one gets the generic key), embedded as data URLs.

import { existsSync, readFileSync } from 'node:fs';
import type { Request, Response } from 'express';
import type { ProviderDescriptor } from '../../providers/contract.ts';
import { isHexColour, readableBackground, readableText } from '../partners/contrast.ts';
import { VIEWS_DIR } from './render.ts';

/** Sign-in methods that are not upstream providers but get a button look too. */
const NATIVE_MARKS = ['password', 'phone'] as const;

/**
 * The provider's mark as a data URL (the generic key when it has none): embedded in the stylesheet, so a
 * page never waits for, or aborts, one more request per button.
 */
export function markUrl(id: string): string {
  const file = `${VIEWS_DIR}static/marks/${id}.svg`;
  const svg = readFileSync(existsSync(file) ? file : `${VIEWS_DIR}static/marks/generic.svg`);
  return `"data:image/svg+xml;base64,${svg.toString('base64')}"`;
}

/** One provider's rules: its colours (text at least 4.5:1) and its mark before the label. */
export function providerRules(d: Pick<ProviderDescriptor, 'id' | 'colors'>): string {
  if (!/^[a-z0-9-]+$/.test(d.id)) return '';
  const fg = isHexColour(d.colors.foreground) ? d.colors.foreground : undefined;
  const bgIn = isHexColour(d.colors.background) ? d.colors.background : '#3a4354';
  const text = fg ?? readableText(bgIn);
  const bg = readableBackground(bgIn, text);
  return `.provider-${d.id}{background:${bg};color:${text}}\n.provider-${d.id}::before{background-image:url(${markUrl(d.id)})}`;
}

export function providerStylesheet(descriptors: readonly ProviderDescriptor[]) {
  const natives = NATIVE_MARKS.filter((id) => !descriptors.some((d) => d.id === id)).map(
    (id) => `.provider-${id}::before{background-image:url(${markUrl(id)})}`,
  );
  const css = [`.provider-button::before{background-image:url(${markUrl('generic')})}`, ...descriptors.map(providerRules), ...natives]
    .filter(Boolean)
    .join('\n');
  return (_req: Request, res: Response): void => {
    res
      .type('text/css')
      .set('cache-control', 'public, max-age=300')
      .send(css + '\n');
  };
}
