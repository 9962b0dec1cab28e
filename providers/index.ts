// The provider registry: id → provider module (descriptor, adapter factory, revoke, emulator).
// Adding a provider = adding its folder and one line here.

import type { ProviderModule } from './contract.ts';
import { weibo } from './weibo/index.ts';
import { qq } from './qq/index.ts';
import { sohu } from './sohu/index.ts';
import { wechat } from './wechat/index.ts';
import { alipay } from './alipay/index.ts';

export const PROVIDERS: ReadonlyMap<string, ProviderModule> = new Map([weibo, qq, sohu, wechat, alipay].map((m) => [m.descriptor.id, m]));

export const DESCRIPTORS = [...PROVIDERS.values()].map((m) => m.descriptor);
