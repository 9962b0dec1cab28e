// The sandbox's admin access: a partner manager for each demo shop with a fixed, documented token
// (config/sandbox-seed.ts), seeded only outside production, and the lines `npm start` prints so a
// tester can call the admin API and the `denglu` command line at once. Real tokens are never printed.

import { DEFAULTS } from '../../config/defaults.ts';
import type { Config } from '../../config/load-config.ts';
import { SANDBOX_MANAGERS, SANDBOX_OPERATOR_TOKEN, sandboxManagerToken } from '../../config/sandbox-seed.ts';
import type { Clock } from '../clock.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { seedManagers } from './managers.ts';

/** Seeds the sandbox managers that are not in the store yet; refused in production. */
export async function seedSandboxManagers(store: Store, clock: Clock, config: Config): Promise<string[]> {
  if (config.production) throw new GatewayError('ERR_CONFIG_INVALID', 'sandbox partner managers (public tokens) are refused in production');
  return seedManagers({ store, clock }, SANDBOX_MANAGERS);
}

export interface SandboxAdminAccess {
  adminUrl: string;
  openapiUrl: string;
  /** The operator token when it is the public sandbox one; undefined when ADMIN_OPERATOR_TOKEN is set. */
  operatorToken: string | undefined;
  managers: { id: string; partners: string[]; token: string }[];
}

export function sandboxAdminAccess(config: Config): SandboxAdminAccess {
  const adminUrl = `${config.issuer}/api/admin`;
  return {
    adminUrl,
    openapiUrl: `${adminUrl}/openapi.json`,
    operatorToken: config.admin.operatorToken === SANDBOX_OPERATOR_TOKEN ? SANDBOX_OPERATOR_TOKEN : undefined,
    managers: config.production ? [] : SANDBOX_MANAGERS.map((m) => ({ id: m.id, partners: [...m.partners], token: sandboxManagerToken(m) })),
  };
}

/** Banner lines for `npm start` (sandbox): where the admin API is and which tokens to use. */
export function adminBannerLines(config: Config): string[] {
  const access = sandboxAdminAccess(config);
  const jd = access.managers.find((m) => m.partners.includes('jd'));
  const lines = [`  Admin API   ${access.adminUrl}   (OpenAPI: ${access.openapiUrl})`];
  lines.push(`  Admin pages ${config.issuer}/admin   (sign in: "operator" + operator token, or manager id + its token)`);
  lines.push(`  Operator    ${access.operatorToken ? `Bearer ${access.operatorToken}` : 'Bearer $ADMIN_OPERATOR_TOKEN'}`);
  if (jd) lines.push(`  JD manager  Bearer ${jd.token}`);
  const url = config.issuer === DEFAULTS.cliUrl ? '' : ` --url ${config.issuer}`;
  if (jd) lines.push(`  CLI         DENGLU_TOKEN=${jd.token} npm run denglu -- integrations jd${url}`);
  return lines;
}
