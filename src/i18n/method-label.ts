// What a shopper or manager reads for a sign-in method: the provider's own label in the page's language,
// the translated word for the native password, or the id itself for a provider no longer configured.

import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { PASSWORD_METHOD } from '../accounts/password-method.ts';
import { translator } from './messages.ts';

export function methodLabel(descriptors: ReadonlyMap<string, ProviderDescriptor>, id: string, locale: Locale): string {
  const descriptor = descriptors.get(id);
  if (descriptor) return descriptor.label[locale];
  return id === PASSWORD_METHOD ? translator(locale)('native.password') : id;
}
