// Turns the environment (and `--now` on the command line) into a validated Config. Every problem is
// collected and reported at once; production mode refuses sandbox settings: emulator endpoints,
// development secrets, generated cookie keys and salts, a non-https issuer.

import { availableParallelism } from 'node:os';
import type { ProviderCredentials, ProviderDescriptor } from '../providers/contract.ts';
import { providerUrlSettings, readProviderSettings } from './provider-settings.ts';
import { readOidcProviders } from './oidc-providers.ts';
import { declarationEnv, type OidcDeclaration, oidcDescriptor } from '../providers/oidc/declaration.ts';
import { parseInstant } from '../src/time/instant.ts';
import type { EpochMs } from '../src/clock.ts';
import { GatewayError } from '../src/errors.ts';
import { DEFAULTS } from './defaults.ts';
import { SANDBOX_OPERATOR_TOKEN, SANDBOX_SHOPS } from './sandbox-seed.ts';
import { isBadPort, portOf, portRangeProblem } from './bad-ports.ts';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';
import { parseSmsConfig } from './sms-config.ts';
import type { SmsConfig } from '../src/sms/create-sender.ts';
import type { SmsLimits } from '../src/accounts/brute-force.ts';

export interface Config {
  production: boolean;
  port: number;
  host: string | undefined;
  issuer: string;
  dataDir: string;
  /** The shared PostgreSQL store (DATABASE_URL); undefined: the embedded store under dataDir. */
  database: { url: string; pool: { max: number; waitMs: number; statementTimeoutMs: number } } | undefined;
  logLevel: string;
  /** Undefined in development: generated once and kept in the store. */
  cookieKeys: string[] | undefined;
  pairwiseSalt: string | undefined;
  upstream: { timeoutMs: number; maxBodyBytes: number };
  flowTtlSeconds: number;
  sessionTtlSeconds: number;
  /** Account changes need a sign-in at most this old. */
  accountReauthSeconds: number;
  /** Sign-in attempts (src/events/recorder.ts): days kept (LOGIN_EVENTS_RETENTION_DAYS), raw events kept (LOGIN_EVENTS_RAW; default: on PostgreSQL only). */
  loginEvents: { retentionDays: number; keepRaw: boolean | undefined };
  /** The admin API (`/api/admin`). */
  admin: {
    /** Bearer token of the operator (ADMIN_OPERATOR_TOKEN; the sandbox token outside production). */
    operatorToken: string;
    /** Requests per minute and IP address. */
    rateLimitPerMinute: number;
  };
  /** ID token signing keys (src/oidc/signing-keys.ts). */
  keys: {
    /** A new key is published this long before a rotation may make it sign. */
    publishLeadSeconds: number;
    /** Scheduled rotation period; undefined: rotate only on request. */
    rotationDays: number | undefined;
  };
  /** What one client may cost the gateway (see config/defaults.ts for each). */
  limits: {
    passwordPerIpPerMinute: number;
    passwordPerSignIn: number;
    hashConcurrency: number;
    hashQueue: number;
    hashWaitMs: number;
    signInsPerBrowser: number;
    signInsPerIp: number;
    tokenAuthFailuresPerMinute: number;
    /** Texted codes (src/accounts/brute-force.ts smsCharges). */
    sms: SmsLimits;
  };
  /** Outgoing mail (src/mail/mailer.ts): SMTP, or the sandbox outbox when no server is set. */
  mail: { smtpUrl: string | undefined; from: string; requireTls: boolean };
  /** Text messages (src/sms/): undefined = no sender, so the `phone` sign-in method is not offered. */
  sms: SmsConfig | undefined;
  /** Providers this deployment can reach, by id. */
  providers: Record<string, ProviderCredentials>;
  /** Upstream OpenID Connect providers declared by configuration (providers/index.ts providerRegistry). */
  oidcProviders: OidcDeclaration[];
  sandbox: {
    enabled: boolean;
    /** Simulated start instant; the clock keeps ticking from it. */
    now: EpochMs | undefined;
    emulatorPort: number;
    shopPort: number;
    /** Emulator base URL by provider id. */
    emulatorUrls: Record<string, string>;
  };
  /** Proxies whose X-Forwarded-* headers are believed (express `trust proxy`; oidc-provider follows it). */
  trustProxy: TrustProxy;
  /** Serve https directly with this certificate and key (PEM files); undefined = plain http. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Limits of the gateway's HTTP server (src/http/gateway-server.ts). */
  http: HttpLimits;
  /** The Prometheus metrics listener (METRICS_PORT, METRICS_HOST); undefined: none. */
  metrics: { port: number; host: string } | undefined;
}

export interface HttpLimits {
  /** Time allowed to send the request headers. */
  headersTimeoutMs: number;
  /** Time allowed to send the whole request. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are refused. */
  maxConnections: number;
  /** Largest request header block, in bytes. */
  maxHeaderBytes: number;
  /** Headers read per request; more are ignored. */
  maxHeadersCount: number;
}

export class ConfigError extends GatewayError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('ERR_CONFIG_INVALID', `configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Sandbox credentials shared by the emulators and the gateway in development: the app id in the provider's shape. */
export function sandboxCredentials(descriptor: Pick<ProviderDescriptor, 'id' | 'sandboxClientId'>): { clientId: string; clientSecret: string } {
  const id = descriptor.id;
  return { clientId: descriptor.sandboxClientId ?? `denglu-sandbox-${id}`, clientSecret: `sandbox-secret-${id}-not-for-production` };
}

export function loadConfig(input: {
  env: Record<string, string | undefined>;
  argv?: readonly string[];
  descriptors: readonly ProviderDescriptor[];
  /** A declared OpenID Connect provider the sandbox adds (`npm start`'s demo); ignored outside the sandbox. */
  sandboxOidcDemo?: OidcDeclaration;
}): Config {
  const env = input.env;
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false (got ${JSON.stringify(raw)})`);
    return fallback;
  };
  const url = (name: string, raw: string): string | undefined => {
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      if (u.search || u.hash) {
        problems.push(`${name} must not carry a query or fragment (got ${JSON.stringify(raw)})`);
        return undefined;
      }
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL (got ${JSON.stringify(raw)})`);
      return undefined;
    }
  };

  const port = int('PORT', DEFAULTS.port, 1, 65535);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    const problem = databaseUrlProblem(databaseUrl);
    if (problem) problems.push(problem);
  }
  const dbPool = {
    max: int('DB_POOL_MAX', DEFAULTS.dbPoolMax, 1, 1000),
    waitMs: int('DB_POOL_WAIT_MS', DEFAULTS.dbPoolWaitMs, 1, 600000),
    statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', DEFAULTS.dbStatementTimeoutMs, 1, 3600000),
  };
  const host = env.HOST || undefined;
  const issuer = url('DENGLU_ISSUER', env.DENGLU_ISSUER || `http://localhost:${port}`) ?? `http://localhost:${port}`;
  const logLevel = env.LOG_LEVEL || DEFAULTS.logLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got ${JSON.stringify(logLevel)})`);
  }

  let cookieKeys: string[] | undefined;
  if (env.COOKIE_KEYS) {
    cookieKeys = env.COOKIE_KEYS.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (cookieKeys.length === 0 || cookieKeys.some((k) => k.length < 32)) {
      problems.push('COOKIE_KEYS must list keys of at least 32 characters each, separated by commas');
    }
  }
  const pairwiseSalt = env.PAIRWISE_SALT || undefined;
  if (pairwiseSalt !== undefined && pairwiseSalt.length < 32) problems.push('PAIRWISE_SALT must be at least 32 characters');

  const upstream = {
    timeoutMs: int('UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs, 1, 60000),
    maxBodyBytes: int('UPSTREAM_MAX_BODY_BYTES', DEFAULTS.upstreamMaxBodyBytes, 1024, 16 * 1024 * 1024),
  };
  const flowTtlSeconds = int('FLOW_TTL_SECONDS', DEFAULTS.flowTtlSeconds, 60, 3600);
  const sessionTtlSeconds = int('SESSION_TTL_SECONDS', DEFAULTS.sessionTtlSeconds, 300, 365 * 24 * 3600);
  const accountReauthSeconds = int('ACCOUNT_REAUTH_SECONDS', DEFAULTS.accountReauthSeconds, 60, 86400);
  const sandboxEnabled = bool('SANDBOX', !production);
  const loginEvents = {
    retentionDays: int('LOGIN_EVENTS_RETENTION_DAYS', DEFAULTS.loginEventsRetentionDays, 31, 3660),
    keepRaw: env.LOGIN_EVENTS_RAW === undefined || env.LOGIN_EVENTS_RAW === '' ? undefined : bool('LOGIN_EVENTS_RAW', false),
  };
  const operatorToken = env.ADMIN_OPERATOR_TOKEN || undefined;
  if (operatorToken !== undefined && operatorToken.length < 32) problems.push('ADMIN_OPERATOR_TOKEN must be at least 32 characters');
  const smtpUrl = env.MAIL_SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) problems.push('MAIL_SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = env.MAIL_FROM || DEFAULTS.mailFrom;
  if (!/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom))
    problems.push(`MAIL_FROM must be an address like "Denglu <no-reply@example.com>" (got ${JSON.stringify(mailFrom)})`);
  const sms = parseSmsConfig(env, { production, sandbox: sandboxEnabled }, problems, url);
  const adminRateLimit = int('ADMIN_RATE_LIMIT', DEFAULTS.adminRateLimitPerMinute, 1, 100000);
  const keyPublishLeadSeconds = int('KEY_PUBLISH_LEAD_SECONDS', DEFAULTS.keyPublishLeadSeconds, 0, 7 * 24 * 3600);
  const keyRotationDays = int('KEY_ROTATION_DAYS', 0, 0, 3650);
  const limits = {
    passwordPerIpPerMinute: int('PASSWORD_RATE_LIMIT', DEFAULTS.passwordRateLimit, 1, 100000),
    passwordPerSignIn: int('PASSWORD_ATTEMPTS_PER_SIGNIN', DEFAULTS.passwordAttemptsPerSignIn, 1, 1000),
    // One core stays free for the event loop; never more than half of libuv's four threads.
    hashConcurrency: int('PASSWORD_HASH_CONCURRENCY', Math.max(1, Math.min(2, availableParallelism() - 1)), 1, 64),
    hashQueue: int('PASSWORD_HASH_QUEUE', DEFAULTS.passwordHashQueue, 0, 10000),
    hashWaitMs: int('PASSWORD_HASH_WAIT_MS', DEFAULTS.passwordHashWaitMs, 100, 60000),
    signInsPerBrowser: int('SIGNINS_PER_BROWSER', DEFAULTS.signInsPerBrowser, 1, 1000),
    signInsPerIp: int('SIGNINS_PER_IP', DEFAULTS.signInsPerIp, 1, 1000000),
    tokenAuthFailuresPerMinute: int('TOKEN_AUTH_FAILURE_LIMIT', DEFAULTS.tokenAuthFailureLimit, 1, 100000),
    sms: {
      perNumberPerDay: int('SMS_PER_NUMBER_PER_DAY', DEFAULTS.smsPerNumberPerDay, 1, 1000),
      perIpPerHour: int('SMS_PER_IP_PER_HOUR', DEFAULTS.smsPerIpPerHour, 1, 1000000),
      perIpPerDay: int('SMS_PER_IP_PER_DAY', DEFAULTS.smsPerIpPerDay, 1, 1000000),
    },
  };
  let now: EpochMs | undefined;
  const nowArg = argValue(input.argv ?? [], '--now');
  const nowRaw = nowArg ?? env.SANDBOX_NOW;
  if (nowRaw) {
    // No partner's zone applies to the sandbox clock: refusals suggest UTC.
    const parsed = parseInstant(nowRaw, 'UTC');
    if (parsed.ok) now = parsed.value;
    else problems.push(`${nowArg ? '--now' : 'SANDBOX_NOW'}: ${parsed.message}`);
  }
  const emulatorPort = int('SANDBOX_EMULATOR_PORT', port + DEFAULTS.emulatorPortOffset, 1, 65535);
  const shopPort = int('SANDBOX_SHOP_PORT', port + DEFAULTS.shopPortOffset, 1, 65535);
  // The declared OpenID Connect providers join the built-in ones; what their file gives for the settings
  // their descriptors declare fills those variables unless the environment sets them.
  const oidcProviders = readOidcProviders(env, new Set(input.descriptors.map((d) => d.id)), { enabled: sandboxEnabled, demo: input.sandboxOidcDemo }, problems);
  const descriptors = [...input.descriptors, ...oidcProviders.map(oidcDescriptor)];
  const providerVariables: Record<string, string | undefined> = { ...Object.assign({}, ...oidcProviders.map(declarationEnv)) };
  for (const [name, value] of Object.entries(env)) if (value) providerVariables[name] = value;
  const emulatorUrls: Record<string, string> = {};
  descriptors.forEach((d, i) => {
    emulatorUrls[d.id] = `http://localhost:${emulatorPort + i}`;
  });

  const providers = readProviderSettings({
    env: providerVariables,
    descriptors,
    sandbox: sandboxEnabled,
    production,
    emulatorUrls,
    sandboxCredentials,
    url,
    bool,
    problems,
  });

  if (production) {
    if (sandboxEnabled) problems.push('SANDBOX must be false in production (it starts emulators and demo shops)');
    if (now !== undefined) problems.push('a simulated time (SANDBOX_NOW / --now) is refused in production');
    if (!cookieKeys) problems.push('COOKIE_KEYS is required in production (generated cookie keys are for development only)');
    if (!operatorToken) problems.push('ADMIN_OPERATOR_TOKEN is required in production (the sandbox operator token is for development only)');
    else if (operatorToken === SANDBOX_OPERATOR_TOKEN) problems.push('ADMIN_OPERATOR_TOKEN is the sandbox token; choose a secret one in production');
    if (!pairwiseSalt) problems.push('PAIRWISE_SALT is required in production (a generated salt is for development only)');
    if (!issuer.startsWith('https://')) problems.push(`DENGLU_ISSUER must be an https URL in production (got ${issuer})`);
    if (!smtpUrl) problems.push('MAIL_SMTP_URL is required in production (the sandbox outbox sends no mail)');
    if (!env.MAIL_FROM) problems.push('MAIL_FROM is required in production (the sender of verification and reset mail)');
    if (Object.keys(providers).length === 0)
      problems.push('no provider is configured: set the credentials of at least one (for example WEIBO_CLIENT_ID and WEIBO_CLIENT_SECRET)');
  }

  // Behind a proxy, and the limits of the HTTP server.
  const trust = parseTrustProxy(env.TRUST_PROXY);
  if ('problem' in trust) problems.push(trust.problem);
  const trustProxy = 'value' in trust ? trust.value : false;
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  const tls = certFile && keyFile ? { certFile, keyFile } : undefined;
  if (production && issuer.startsWith('https://') && trustProxy === false && !tls) {
    problems.push(
      'DENGLU_ISSUER is https but Denglu would serve plain http and believe no proxy: set TRUST_PROXY to the TLS-terminating proxy in front of it (e.g. loopback), or TLS_CERT_FILE and TLS_KEY_FILE to serve https itself',
    );
  }
  const http: HttpLimits = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', DEFAULTS.httpHeadersTimeoutMs, 1000, 120000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', DEFAULTS.httpRequestTimeoutMs, 1000, 600000),
    keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.httpKeepAliveTimeoutMs, 1000, 600000),
    maxConnections: int('HTTP_MAX_CONNECTIONS', DEFAULTS.httpMaxConnections, 1, 1000000),
    maxHeaderBytes: int('HTTP_MAX_HEADER_BYTES', DEFAULTS.httpMaxHeaderBytes, 1024, 65536),
    maxHeadersCount: int('HTTP_MAX_HEADERS_COUNT', DEFAULTS.httpMaxHeadersCount, 10, 2000),
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs})`);
  }

  // Metrics on a listener of their own, on this machine only unless METRICS_HOST says otherwise.
  const metricsPort = env.METRICS_PORT ? int('METRICS_PORT', 0, 1, 65535) : undefined;
  if (metricsPort !== undefined && metricsPort === port)
    problems.push(`METRICS_PORT must differ from PORT (${port}): metrics are never served on the gateway port`);
  const metrics = metricsPort ? { port: metricsPort, host: env.METRICS_HOST || DEFAULTS.metricsHost } : undefined;

  // Ports browsers and fetch refuse, wherever they are configured.
  if (isBadPort(port)) problems.push(portRangeProblem('PORT', port, 1)!);
  const urlSettings: [string, string | undefined][] = [['DENGLU_ISSUER', env.DENGLU_ISSUER ? issuer : undefined]];
  urlSettings.push(...providerUrlSettings(descriptors, providerVariables));
  for (const [name, value] of urlSettings) {
    if (!value || !URL.canParse(value)) continue;
    const problem = portRangeProblem(name, portOf(new URL(value)), 1);
    if (problem) problems.push(problem);
  }
  if (sandboxEnabled) {
    for (const problem of [
      portRangeProblem(`SANDBOX_EMULATOR_PORT${env.SANDBOX_EMULATOR_PORT ? '' : ' (PORT+1 by default)'}`, emulatorPort, descriptors.length),
      portRangeProblem(`SANDBOX_SHOP_PORT${env.SANDBOX_SHOP_PORT ? '' : ' (PORT+100 by default)'}`, shopPort, SANDBOX_SHOPS.length),
    ]) {
      if (problem) problems.push(problem);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    production,
    port,
    host,
    issuer,
    dataDir: env.DATA_DIR || DEFAULTS.dataDir,
    database: databaseUrl === undefined ? undefined : { url: databaseUrl, pool: dbPool },
    logLevel,
    cookieKeys,
    pairwiseSalt,
    upstream,
    flowTtlSeconds,
    sessionTtlSeconds,
    accountReauthSeconds,
    loginEvents,
    mail: { smtpUrl, from: mailFrom, requireTls: production },
    sms,
    keys: { publishLeadSeconds: keyPublishLeadSeconds, rotationDays: keyRotationDays || undefined },
    admin: { operatorToken: operatorToken ?? SANDBOX_OPERATOR_TOKEN, rateLimitPerMinute: adminRateLimit },
    limits,
    providers,
    oidcProviders,
    sandbox: { enabled: sandboxEnabled, now, emulatorPort, shopPort, emulatorUrls },
    trustProxy,
    tls,
    http,
    metrics,
  };
}

/** Why DATABASE_URL is not a PostgreSQL URL (the message never repeats the URL: it may hold a password). */
export function databaseUrlProblem(raw: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return 'DATABASE_URL must be a PostgreSQL URL, e.g. postgres://denglu:PASSWORD@db.example:5432/denglu (it is not a URL)';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql:// (got ${parsed.protocol}//…)`;
  }
  if (!parsed.hostname && !parsed.searchParams.has('host')) return 'DATABASE_URL must name the database host, e.g. postgres://denglu@db.example:5432/denglu';
  if (parsed.pathname.length <= 1) return 'DATABASE_URL must name the database, e.g. postgres://denglu@db.example:5432/denglu';
  return undefined;
}

function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}
