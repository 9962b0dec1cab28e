// A declared OpenID Connect provider as a registry module: the descriptor made from its declaration,
// the generic adapter, and the demo OpenID Provider as its emulator (what the sandbox runs when the
// declaration names no issuer). One function, any number of providers: nothing here names one.

import type { ProviderModule } from '../contract.ts';
import { createOidcAdapter } from './adapter.ts';
import { type OidcDeclaration, oidcDescriptor } from './declaration.ts';
import { createOidcEmulator } from './emulator.ts';

export function oidcProviderModule(declaration: OidcDeclaration): ProviderModule {
  const descriptor = oidcDescriptor(declaration);
  return {
    descriptor,
    createAdapter: (options) => createOidcAdapter(descriptor, options),
    createEmulator: (options) => createOidcEmulator(descriptor.id, descriptor.label.en, options),
  };
}
