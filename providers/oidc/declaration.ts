// What an operator writes to add an upstream OpenID Connect provider without code: one JSON object per
// provider (id, issuer, client id and secret, scopes, label, colours), checked here with one-line
// problems that name the entry and the field and never repeat a secret. A declaration becomes an
// ordinary descriptor whose settings are `OIDC_<ID>_CLIENT_ID`, `_CLIENT_SECRET` and `_ISSUER`, so
// config/provider-settings.ts reads, checks and documents it like any other provider.

import type { Locale, ProviderDescriptor } from '../contract.ts';

export interface OidcDeclaration {
  /** Registry key and callback path segment (`/cb/<id>`): lowercase letters, digits and `-`. */
  id: string;
  /** The issuer identifier; discovery is `<issuer>/.well-known/openid-configuration`. Absent: the sandbox emulator. */
  issuer?: string;
  clientId?: string;
  /** May be left out of the file and given as `OIDC_<ID>_CLIENT_SECRET` instead. */
  clientSecret?: string;
  /** Always includes `openid`. */
  scopes: string[];
  label: Record<Locale, string>;
  colors: { background: string; foreground: string };
  /** Send an RFC 7636 S256 challenge (default true; turn off only for a provider that rejects it). */
  pkce: boolean;
  /** Where an operator registers the app (shown in the admin pages). */
  registrationUrl: string;
}

/** Ids that are not available to a declared provider (Denglu's own methods). */
const RESERVED_IDS = new Set(['password', 'phone', 'generic']);

const FIELDS = new Set(['id', 'issuer', 'clientId', 'clientSecret', 'scopes', 'label', 'colors', 'pkce', 'registrationUrl']);

/** The environment variable prefix of a declared provider's settings (`example-oidc` → `OIDC_EXAMPLE_OIDC_`). */
export function settingPrefix(id: string): string {
  return `OIDC_${id.toUpperCase().replace(/-/g, '_')}_`;
}

/**
 * Checks the parsed JSON (an array of declarations, or one). `source` names where it came from in the
 * problems (`DENGLU_OIDC_PROVIDERS`, or the file). `taken` are the ids of the built-in providers.
 */
export function parseOidcDeclarations(json: unknown, source: string, taken: ReadonlySet<string>): { declarations: OidcDeclaration[]; problems: string[] } {
  const problems: string[] = [];
  const declarations: OidcDeclaration[] = [];
  const list = Array.isArray(json) ? json : [json];
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const where = `${source} entry ${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${where} must be a JSON object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const id = e.id;
    if (typeof id !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(id)) {
      problems.push(`${where}: "id" must be 1-32 lowercase letters, digits or "-", starting with a letter`);
      return;
    }
    const at = `${source} provider "${id}"`;
    const before = problems.length;
    if (RESERVED_IDS.has(id) || taken.has(id)) problems.push(`${at}: the id "${id}" is already a built-in sign-in method; choose another`);
    if (seen.has(id)) problems.push(`${at}: declared twice`);
    seen.add(id);
    for (const key of Object.keys(e)) if (!FIELDS.has(key)) problems.push(`${at}: unknown field "${key}" (known: ${[...FIELDS].join(', ')})`);
    const text = (name: string, max: number): string | undefined => {
      const v = e[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
        problems.push(`${at}: "${name}" must be a non-empty string of at most ${max} characters`);
        return undefined;
      }
      return v;
    };
    const issuer = text('issuer', 512);
    if (issuer !== undefined && !/^https?:\/\/[^\s?#]+$/.test(issuer)) problems.push(`${at}: "issuer" must be an http(s) URL without query or fragment`);
    const clientId = text('clientId', 256);
    // A secret is checked for shape only, and never quoted back.
    const clientSecret = e.clientSecret;
    if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === '' || clientSecret.length > 1024)) {
      problems.push(`${at}: "clientSecret" must be a non-empty string (its value is not shown)`);
    }
    let scopes = ['openid', 'profile'];
    if (e.scopes !== undefined) {
      if (!Array.isArray(e.scopes) || e.scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(s))) {
        problems.push(`${at}: "scopes" must be a list of scope tokens such as ["openid", "profile"]`);
      } else scopes = [...new Set(['openid', ...(e.scopes as string[])])];
    }
    const label = e.label;
    const labelOk =
      label !== null &&
      typeof label === 'object' &&
      (['zh-CN', 'en'] as const).every((l) => {
        const v = (label as Record<string, unknown>)[l];
        return typeof v === 'string' && v.trim() !== '' && v.length <= 40;
      });
    if (!labelOk)
      problems.push(`${at}: "label" must give the button text in both languages, e.g. {"zh-CN": "示例", "en": "Example"} (at most 40 characters each)`);
    const colors = e.colors ?? { background: '#3b5bdb', foreground: '#ffffff' };
    const colour = (v: unknown) => typeof v === 'string' && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v);
    const colorsOk =
      colors !== null &&
      typeof colors === 'object' &&
      colour((colors as Record<string, unknown>).background) &&
      colour((colors as Record<string, unknown>).foreground);
    if (!colorsOk) problems.push(`${at}: "colors" must be {"background": "#rrggbb", "foreground": "#rrggbb"}`);
    if (e.pkce !== undefined && typeof e.pkce !== 'boolean') problems.push(`${at}: "pkce" must be true or false`);
    const registrationUrl = text('registrationUrl', 512);
    if (registrationUrl !== undefined && !/^https?:\/\/\S+$/.test(registrationUrl)) problems.push(`${at}: "registrationUrl" must be an http(s) URL`);
    if (problems.length > before) return;
    declarations.push({
      id,
      ...(issuer !== undefined ? { issuer: issuer.replace(/\/+$/, '') } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
      ...(typeof clientSecret === 'string' ? { clientSecret } : {}),
      scopes,
      label: { 'zh-CN': (label as Record<Locale, string>)['zh-CN'].trim(), en: (label as Record<Locale, string>).en.trim() },
      colors: colors as OidcDeclaration['colors'],
      pkce: e.pkce !== false,
      registrationUrl: registrationUrl ?? issuer ?? 'https://openid.net/connect/',
    });
  });
  return { declarations, problems };
}

/** The descriptor of a declared provider: its settings are the `OIDC_<ID>_…` variables. */
export function oidcDescriptor(d: OidcDeclaration): ProviderDescriptor {
  const prefix = settingPrefix(d.id);
  return {
    id: d.id,
    label: d.label,
    colors: d.colors,
    // Without an issuer the provider is only usable in the sandbox (its emulator); production refuses http.
    baseUrls: { issuer: d.issuer ?? 'http://localhost' },
    scope: d.scopes,
    pkce: d.pkce,
    revocable: false,
    registrationUrl: d.registrationUrl,
    reauthentication: { prompt: 'login' },
    // OpenID Connect's own display-language parameter (Core §3.1.2.1), in the shopper's order of preference.
    displayLanguage: { parameter: 'ui_locales', values: { 'zh-CN': 'zh-CN zh en', en: 'en' } },
    settings: [
      { env: `${prefix}CLIENT_ID`, fills: 'clientId', description: `${d.label.en} (OpenID Connect) client id.` },
      { env: `${prefix}CLIENT_SECRET`, fills: 'clientSecret', secret: true, description: `${d.label.en} (OpenID Connect) client secret.` },
      {
        env: `${prefix}ISSUER`,
        fills: { baseUrl: 'issuer' },
        description: `${d.label.en} (OpenID Connect) issuer; discovery is <issuer>/.well-known/openid-configuration.`,
      },
    ],
  };
}

/**
 * The settings a declaration gives in the file, as the variables its descriptor declares; variables set
 * in the environment win (so a secret can stay out of the file).
 */
export function declarationEnv(d: OidcDeclaration): Record<string, string> {
  const prefix = settingPrefix(d.id);
  const env: Record<string, string> = {};
  if (d.clientId !== undefined) env[`${prefix}CLIENT_ID`] = d.clientId;
  if (d.clientSecret !== undefined) env[`${prefix}CLIENT_SECRET`] = d.clientSecret;
  if (d.issuer !== undefined) env[`${prefix}ISSUER`] = d.issuer;
  return env;
}
