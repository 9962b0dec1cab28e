// The providers' button colours as a stylesheet generated from their descriptors (the CSP forbids
// inline styles, and each provider's look is data in its folder).

import type { Request, Response } from 'express';
import type { ProviderDescriptor } from '../../providers/contract.ts';

const COLOUR = /^#[0-9a-fA-F]{3,8}$|^[a-z]+$/;

export function providerStylesheet(descriptors: readonly ProviderDescriptor[]) {
  const css = descriptors
    .filter((d) => COLOUR.test(d.colors.background) && COLOUR.test(d.colors.foreground) && /^[a-z0-9-]+$/.test(d.id))
    .map((d) => `.provider-${d.id}{background:${d.colors.background};color:${d.colors.foreground}}`)
    .join('\n');
  return (_req: Request, res: Response): void => {
    res
      .type('text/css')
      .set('cache-control', 'public, max-age=300')
      .send(css + '\n');
  };
}
