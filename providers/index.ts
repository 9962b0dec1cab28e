// The provider registry: id → provider module (descriptor, adapter factory, revoke, emulator). The
// built-in providers are a folder each and one line here; OpenID Connect providers are declared by
// configuration (DENGLU_OIDC_PROVIDERS, config/oidc-providers.ts) and join them through providerRegistry.

import type { ProviderModule } from './contract.ts';
import type { OidcDeclaration } from './oidc/declaration.ts';
import { oidcProviderModule } from './oidc/index.ts';
import { weibo } from './weibo/index.ts';
import { qq } from './qq/index.ts';
import { sohu } from './sohu/index.ts';
import { wechat } from './wechat/index.ts';
import { alipay } from './alipay/index.ts';

const BUILT_IN: readonly ProviderModule[] = [weibo, qq, sohu, wechat, alipay];

/** The built-in providers only (benchmarks and tests that need no declared provider). */
export const PROVIDERS: ReadonlyMap<string, ProviderModule> = new Map(BUILT_IN.map((m) => [m.descriptor.id, m]));

/** The built-in providers' descriptors (what config/load-config.ts adds the declared ones to). */
export const DESCRIPTORS = [...PROVIDERS.values()].map((m) => m.descriptor);

/** This deployment's registry: the built-in providers, then the declared OpenID Connect ones (Config.oidcProviders). */
export function providerRegistry(declared: readonly OidcDeclaration[]): ReadonlyMap<string, ProviderModule> {
  return new Map([...BUILT_IN, ...declared.map(oidcProviderModule)].map((m) => [m.descriptor.id, m]));
}
