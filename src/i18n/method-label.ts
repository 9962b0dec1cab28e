// What a shopper or manager reads for a sign-in method: the label of its descriptor in the page's language
// (the app's descriptors hold the providers and the native methods), the native method's own label where a
// caller's map lacks it, or the id itself for a provider no longer configured.

import type { Locale, ProviderDescriptor } from '../../providers/contract.ts';
import { PASSWORD_DESCRIPTOR, PASSWORD_METHOD } from '../accounts/password-method.ts';
import { PHONE_DESCRIPTOR, PHONE_METHOD } from '../accounts/phone-method.ts';
import { LOCALES } from './locale.ts';

const NATIVE: ReadonlyMap<string, { label: Record<Locale, string> }> = new Map([
  [PASSWORD_METHOD, PASSWORD_DESCRIPTOR],
  [PHONE_METHOD, PHONE_DESCRIPTOR],
]);

export function methodLabel(descriptors: ReadonlyMap<string, ProviderDescriptor>, id: string, locale: Locale): string {
  return (descriptors.get(id) ?? NATIVE.get(id))?.label[locale] ?? id;
}

/** Each method's label in every language, by method id: what the admin API adds beside ids for its readers (the CLI). */
export function methodLabels(descriptors: ReadonlyMap<string, ProviderDescriptor>, methods: Iterable<string>): Record<string, Record<Locale, string>> {
  const out: Record<string, Record<Locale, string>> = {};
  for (const method of methods) out[method] = Object.fromEntries(LOCALES.map((l) => [l, methodLabel(descriptors, method, l)])) as Record<Locale, string>;
  return out;
}
