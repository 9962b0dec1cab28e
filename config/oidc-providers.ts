// Which upstream OpenID Connect providers this deployment declares: `DENGLU_OIDC_PROVIDERS` (JSON) or
// `DENGLU_OIDC_PROVIDERS_FILE` (a JSON file), checked by providers/oidc/declaration.ts. `npm start`'s
// sandbox adds its demo provider (config/sandbox-seed.ts SANDBOX_OIDC_PROVIDER), served by the OIDC emulator. Problems are one line each and never
// quote the JSON (it may hold a client secret).

import { readFileSync } from 'node:fs';
import { type OidcDeclaration, parseOidcDeclarations, settingPrefix } from '../providers/oidc/declaration.ts';

export function readOidcProviders(
  env: Record<string, string | undefined>,
  builtIn: ReadonlySet<string>,
  sandbox: { enabled: boolean; demo: OidcDeclaration | undefined },
  problems: string[],
): OidcDeclaration[] {
  const inline = env.DENGLU_OIDC_PROVIDERS || undefined;
  const file = env.DENGLU_OIDC_PROVIDERS_FILE || undefined;
  let declared: OidcDeclaration[] = [];
  if (inline && file) problems.push('set DENGLU_OIDC_PROVIDERS or DENGLU_OIDC_PROVIDERS_FILE, not both');
  else if (inline || file) {
    const source = file ? `DENGLU_OIDC_PROVIDERS_FILE (${file})` : 'DENGLU_OIDC_PROVIDERS';
    let text: string | undefined = inline;
    if (file) {
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        problems.push(`${source} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    if (text !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        // Never the parser's message: it quotes the text around the mistake.
        const at = /position (\d+)/.exec((err as Error).message)?.[1];
        problems.push(`${source} is not valid JSON${at ? ` (near character ${at})` : ''}`);
      }
      if (json !== undefined) {
        const parsed = parseOidcDeclarations(json, source, builtIn);
        problems.push(...parsed.problems);
        declared = parsed.declarations;
      }
    }
  }
  if (!sandbox.enabled) {
    for (const d of declared) {
      const variable = `${settingPrefix(d.id)}ISSUER`;
      if (!d.issuer && !env[variable]) problems.push(`OpenID Connect provider "${d.id}" needs an "issuer" (or ${variable}) outside the sandbox`);
    }
  }
  const demo = sandbox.demo;
  if (sandbox.enabled && demo && !declared.some((d) => d.id === demo.id) && !builtIn.has(demo.id)) declared = [...declared, demo];
  return declared;
}
