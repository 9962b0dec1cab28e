// Provider settings from the providers' own declarations (ProviderDescriptor.settings): each provider's
// credentials, keys, base URL per host role and options are read, validated and documented here by
// what they fill, never by which provider declares them. Outside production an unset provider falls
// back to its sandbox app and (in the sandbox) to its emulator; production refuses both.

import type { ProviderCredentials, ProviderDescriptor, ProviderSetting } from '../providers/contract.ts';
import type { SettingDoc } from './defaults.ts';

export interface ProviderSettingsInput {
  env: Record<string, string | undefined>;
  descriptors: readonly ProviderDescriptor[];
  sandbox: boolean;
  production: boolean;
  /** The emulator's base URL by provider id (the sandbox's default for every role). */
  emulatorUrls: Record<string, string>;
  /** The sandbox app's credentials for a provider. */
  sandboxCredentials(descriptor: ProviderDescriptor): { clientId: string; clientSecret: string };
  /** Validates an http(s) URL setting (reporting a problem) and returns it without a trailing slash. */
  url(name: string, raw: string): string | undefined;
  bool(name: string, fallback: boolean): boolean;
  problems: string[];
}

/** The configured providers: credentials for each provider this deployment uses. */
export function readProviderSettings(input: ProviderSettingsInput): Record<string, ProviderCredentials> {
  const providers: Record<string, ProviderCredentials> = {};
  for (const d of input.descriptors) {
    const read = readProvider(d, input);
    if (read) providers[d.id] = read;
  }
  return providers;
}

function readProvider(d: ProviderDescriptor, input: ProviderSettingsInput): ProviderCredentials | undefined {
  const { env, problems } = input;
  const idSetting = d.settings.find((s) => s.fills === 'clientId');
  const secretSetting = d.settings.find((s) => s.fills === 'clientSecret');
  const urlSettings = d.settings.filter((s): s is ProviderSetting & { fills: { baseUrl: string } } => typeof s.fills === 'object' && 'baseUrl' in s.fills);
  const given = (s: ProviderSetting | undefined) => (s ? env[s.env] || undefined : undefined);
  const clientId = given(idSetting);
  const clientSecret = given(secretSetting);
  const credentialsAndUrls = [idSetting, secretSetting, ...urlSettings];
  if (!input.sandbox && credentialsAndUrls.every((s) => !given(s))) return undefined; // not used by this deployment
  if (idSetting && secretSetting && Boolean(clientId) !== Boolean(clientSecret)) {
    problems.push(`${idSetting.env} and ${secretSetting.env} must be set together`);
    return undefined;
  }
  const sandbox = input.sandboxCredentials(d);
  const baseUrls: Record<string, string> = {};
  for (const [role, production] of Object.entries(d.baseUrls)) {
    const setting = urlSettings.find((s) => s.fills.baseUrl === role);
    const raw = given(setting);
    const configured = raw && setting ? input.url(setting.env, raw) : undefined;
    baseUrls[role] = configured ?? (input.sandbox ? input.emulatorUrls[d.id]! : production);
  }
  const extra: Record<string, string | boolean> = {};
  for (const s of d.settings) {
    if (typeof s.fills !== 'object' || !('extra' in s.fills)) continue;
    // A computed sandbox default (throwaway keys) is made only when the sandbox needs it.
    const fallback = () => {
      if (!input.sandbox || s.sandboxDefault === undefined) return s.default;
      return typeof s.sandboxDefault === 'function' ? s.sandboxDefault() : s.sandboxDefault;
    };
    if (s.fills.type === 'boolean') extra[s.fills.extra] = input.bool(s.env, fallback() === true);
    else {
      const unset = given(s) === undefined ? fallback() : undefined;
      const value = given(s) ?? (typeof unset === 'string' ? unset : undefined);
      if (value !== undefined) extra[s.fills.extra] = value;
      // Only the sandbox has a value for a required key (its throwaway one); anywhere else it must be set.
      else if (s.required && !input.sandbox) problems.push(`${s.env} is required${input.production ? ' in production' : ' outside the sandbox'}`);
    }
  }
  if (input.production) {
    if (idSetting && !clientId) problems.push(`${idSetting.env} is required in production (the sandbox app is refused)`);
    if (secretSetting && clientSecret === sandbox.clientSecret) problems.push(`${secretSetting.env} is the sandbox secret; use the real one in production`);
    // Any https endpoint is accepted (an operator may run a relay whose CA is in NODE_EXTRA_CA_CERTS).
    for (const [role, u] of Object.entries(baseUrls)) {
      if (new URL(u).protocol === 'https:') continue;
      const name = urlSettings.find((s) => s.fills.baseUrl === role)?.env ?? `${d.id} base URL "${role}"`;
      problems.push(`${name} points at ${u}, a plain-http endpoint (an emulator?); production needs the provider's https endpoint`);
    }
  }
  return {
    clientId: clientId || sandbox.clientId,
    clientSecret: clientSecret || (secretSetting ? sandbox.clientSecret : ''),
    baseUrls,
    extra,
  };
}

/** The base URL settings of every provider, by variable name (for the checks every URL setting gets). */
export function providerUrlSettings(descriptors: readonly ProviderDescriptor[], env: Record<string, string | undefined>): [string, string | undefined][] {
  return descriptors.flatMap((d) =>
    d.settings.filter((s) => typeof s.fills === 'object' && 'baseUrl' in s.fills).map((s): [string, string | undefined] => [s.env, env[s.env]]),
  );
}

/** The documentation of every provider setting, in the shape of config/defaults.ts SETTINGS. */
export function providerSettingDocs(descriptors: readonly ProviderDescriptor[]): SettingDoc[] {
  return descriptors.flatMap((d) =>
    d.settings.map((s) => ({ env: s.env, default: defaultText(d, s), description: s.description, ...(s.secret ? { secret: true } : {}) })),
  );
}

function defaultText(d: ProviderDescriptor, s: ProviderSetting): string {
  if (s.fills === 'clientId' || s.fills === 'clientSecret') return '(sandbox app)';
  if ('baseUrl' in s.fills) return d.baseUrls[s.fills.baseUrl] ?? '(none)';
  return s.default === undefined ? '(none)' : String(s.default);
}

/**
 * The environment that points a provider at an app and at one server for every host role (the tests'
 * and the benchmark's emulators), by the variables its descriptor declares, with the sandbox's value
 * of each required key (a gateway in another process then signs with the keys this process's
 * emulators check).
 */
export function providerEnv(d: ProviderDescriptor, app: { clientId: string; clientSecret: string; baseUrl: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of d.settings) {
    if (s.fills === 'clientId') env[s.env] = app.clientId;
    else if (s.fills === 'clientSecret') env[s.env] = app.clientSecret;
    else if ('baseUrl' in s.fills) env[s.env] = app.baseUrl;
    // A required key (Alipay's) gets the sandbox's, which the emulators of this process use too.
    else if (s.required && s.sandboxDefault !== undefined) env[s.env] = String(typeof s.sandboxDefault === 'function' ? s.sandboxDefault() : s.sandboxDefault);
  }
  return env;
}

/**
 * The provider options and keys a descriptor's settings give in the sandbox (their `sandboxDefault`s,
 * computed ones made now): what a test hands an adapter to run it as the sandbox would.
 */
export function sandboxExtra(d: ProviderDescriptor): Record<string, string | boolean> {
  const extra: Record<string, string | boolean> = {};
  for (const s of d.settings) {
    if (typeof s.fills !== 'object' || !('extra' in s.fills) || s.sandboxDefault === undefined) continue;
    extra[s.fills.extra] = typeof s.sandboxDefault === 'function' ? s.sandboxDefault() : s.sandboxDefault;
  }
  return extra;
}
