// The authorization parameter that asks a provider to show its pages in the shopper's language, as the
// descriptor declares it (ProviderDescriptor.displayLanguage); nothing for a provider without one.

import type { Locale, ProviderDescriptor } from '../contract.ts';

export function displayLanguageOf(descriptor: Pick<ProviderDescriptor, 'displayLanguage'>, locale: Locale | undefined): Record<string, string> {
  const value = locale && descriptor.displayLanguage?.values[locale];
  return value ? { [descriptor.displayLanguage!.parameter]: value } : {};
}
