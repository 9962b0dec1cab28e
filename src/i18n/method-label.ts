// What a shopper or manager reads for a sign-in method: the label of its descriptor in the page's language
// (the app's descriptors hold the providers and the native methods), the native method's own label where a
// caller's map lacks it, or the id itself for a provider no longer configured.

import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { PASSWORD_DESCRIPTOR, PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_DESCRIPTOR, PHONE_METHOD } from '../accounts/phone-method.ts';

const NATIVE: ReadonlyMap<string, { label: Record<Locale, string> }> = new Map([
  [PASSWORD_METHOD, PASSWORD_DESCRIPTOR],
  [PHONE_METHOD, PHONE_DESCRIPTOR],
]);

export function methodLabel(descriptors: ReadonlyMap<string, ProviderDescriptor>, id: string, locale: Locale): string {
  return (descriptors.get(id) ?? NATIVE.get(id))?.label[locale] ?? id;
}
