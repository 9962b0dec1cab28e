// Every setting Denglu reads, its environment variable, default and meaning: the one documented place
// for defaults. Provider settings are declared by each provider's descriptor (config/provider-settings.ts
// documents them in the same shape). `.env.example` and the README are checked against both lists by
// test/config/config.test.ts, so they cannot drift.

export interface SettingDoc {
  env: string;
  default: string;
  description: string;
  /** Never printed or logged. */
  secret?: boolean;
}

export const SETTINGS: readonly SettingDoc[] = [
  {
    env: 'NODE_ENV',
    default: 'development',
    description: '`production` turns on the production checks (no sandbox, no emulator endpoints, no development secrets, no generated keys).',
  },
  { env: 'PORT', default: '3000', description: 'HTTP port of the gateway.' },
  { env: 'HOST', default: '(all interfaces)', description: 'Address to listen on.' },
  {
    env: 'DENGLU_ISSUER',
    default: 'http://localhost:$PORT',
    description: 'OpenID Provider issuer URL; stable, https in production. Discovery lives at `$DENGLU_ISSUER/.well-known/openid-configuration`.',
  },
  { env: 'DATA_DIR', default: './data', description: 'Directory of the embedded store (created on first start; one process at a time).' },
  {
    env: 'DATABASE_URL',
    default: '(unset: the embedded store)',
    description:
      'PostgreSQL URL, e.g. postgres://denglu:PASSWORD@db.example:5432/denglu. Set: every instance shares this database (run as many gateway processes as you like); migrations run at start. Unset: the embedded store in DATA_DIR.',
    secret: true,
  },
  { env: 'DB_POOL_MAX', default: '10', description: 'PostgreSQL connections per gateway process at most.' },
  {
    env: 'DB_POOL_WAIT_MS',
    default: '2000',
    description: 'How long a request waits for a free PostgreSQL connection before it fails with 503 (pool exhausted or database down).',
  },
  { env: 'DB_STATEMENT_TIMEOUT_MS', default: '5000', description: 'statement_timeout of every PostgreSQL connection: a slower statement fails with 503.' },
  { env: 'LOG_LEVEL', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
  {
    env: 'COOKIE_KEYS',
    default: '(generated and stored in development)',
    description: 'Comma-separated cookie signing keys, newest first, each at least 32 characters. Required in production.',
    secret: true,
  },
  {
    env: 'PAIRWISE_SALT',
    default: '(generated and stored in development)',
    description: 'Secret salt of the pairwise `sub` (at least 32 characters). Required in production; never change it once shops hold `sub` values.',
    secret: true,
  },
  { env: 'UPSTREAM_TIMEOUT_MS', default: '8000', description: 'Deadline of every call to a provider, in milliseconds (1–60000).' },
  { env: 'UPSTREAM_MAX_BODY_BYTES', default: '262144', description: 'Largest provider response accepted, in bytes.' },
  { env: 'FLOW_TTL_SECONDS', default: '600', description: 'How long a shopper may take at the provider before the sign-in must restart (60–3600).' },
  {
    env: 'ACCOUNT_REAUTH_SECONDS',
    default: '300',
    description: 'Linking, unlinking and password changes need a sign-in at most this old (seconds, 60–86400); older sessions are asked to sign in again.',
  },
  {
    env: 'LOGIN_EVENTS_RETENTION_DAYS',
    default: '400',
    description: 'Days sign-in attempts and their per-shop summaries are kept (31–3660); expired ones are swept once per cluster.',
  },
  {
    env: 'LOGIN_EVENTS_RAW',
    default: '(true on PostgreSQL, false on the embedded store)',
    description: 'Keep each raw sign-in attempt besides the per-shop summaries. The embedded store holds everything in memory: keep it off there.',
  },
  { env: 'SESSION_TTL_SECONDS', default: '1209600', description: 'Lifetime of a Denglu sign-in session (14 days).' },
  {
    env: 'SANDBOX',
    default: 'true (false in production)',
    description: 'Start the provider emulators and the demo shops with `npm start`, and point unconfigured providers at the emulators.',
  },
  {
    env: 'SANDBOX_NOW',
    default: '(real time)',
    description:
      'Run the gateway at a simulated instant that keeps ticking, e.g. `2013-09-20T10:00+08:00` (offset or IANA zone required). Same as `npm start -- --now …`.',
  },
  {
    env: 'SANDBOX_EMULATOR_PORT',
    default: '$PORT+1',
    description: 'First port of the provider emulators (Weibo, QQ, Sohu, WeChat, then declared demo providers, take consecutive ports).',
  },
  { env: 'SANDBOX_SHOP_PORT', default: '$PORT+100', description: 'First port of the demo shops (JD.com, then Taobao).' },
  {
    env: 'DENGLU_OIDC_PROVIDERS',
    default: '(none)',
    description:
      'Upstream OpenID Connect providers added by configuration alone: a JSON list of `{"id", "issuer", "clientId", "clientSecret", "scopes", "label": {"zh-CN", "en"}, "colors": {"background", "foreground"}}` (see the README). Each gets `OIDC_<ID>_CLIENT_ID`, `OIDC_<ID>_CLIENT_SECRET` and `OIDC_<ID>_ISSUER`, which win over the JSON (keep the secret there).',
    secret: true,
  },
  { env: 'DENGLU_OIDC_PROVIDERS_FILE', default: '(none)', description: 'The same list in a JSON file (instead of `DENGLU_OIDC_PROVIDERS`).' },
  {
    env: 'ADMIN_OPERATOR_TOKEN',
    default: '(sandbox token in development)',
    description:
      'Bearer token of the operator on the admin API (`/api/admin`), at least 32 characters. Required in production; in development it defaults to the documented sandbox token `denglu-sandbox-operator-token-not-for-production`.',
    secret: true,
  },
  {
    env: 'ADMIN_RATE_LIMIT',
    default: '300',
    description: 'Admin API requests allowed per minute from one IP address (1–100000); more get 429 with Retry-After.',
  },
  {
    env: 'MAIL_SMTP_URL',
    default: '(none: the sandbox outbox)',
    description:
      'SMTP server for email verification and password-reset mail, e.g. `smtps://user:password@smtp.example.com:465` (sent with nodemailer; `smtp://` must offer STARTTLS in production). Unset outside production, mail is kept in the sandbox outbox at `/sandbox/outbox` instead of being sent. Required in production.',
    secret: true,
  },
  {
    env: 'MAIL_FROM',
    default: 'Denglu <no-reply@localhost>',
    description: "Sender of Denglu's mail, e.g. `Denglu <no-reply@login.example.com>`. Required in production.",
  },
  {
    env: 'SMS_SENDER',
    default: 'sandbox (none in production)',
    description:
      'How texts (phone sign-in codes) are sent: `sandbox` (kept in the sandbox outbox at `/sandbox/outbox`; refused in production), `aliyun` (Aliyun SMS) or `tencent` (Tencent Cloud SMS). Unset in production: no texts, and the `phone` sign-in method is offered nowhere.',
  },
  {
    env: 'SMS_SIGN_NAME',
    default: '(none)',
    description: 'The registered SMS signature (签名, e.g. `Denglu`) of the chosen service. Required with `aliyun` and `tencent`.',
  },
  {
    env: 'SMS_TEMPLATE_ID',
    default: '(none)',
    description:
      'The registered template of the verification code: an Aliyun TemplateCode (`SMS_…`, with the variable `code`) or a Tencent TemplateId (with `{1}` for the code). Its text should say the code lasts 5 minutes. Required with `aliyun` and `tencent`.',
  },
  {
    env: 'SMS_ALIYUN_ACCESS_KEY_ID',
    default: '(none)',
    description: 'Aliyun AccessKey ID allowed to call dysmsapi SendSms. Required with `SMS_SENDER=aliyun`.',
  },
  {
    env: 'SMS_ALIYUN_ACCESS_KEY_SECRET',
    default: '(none)',
    description: 'Aliyun AccessKey secret (signs each request, HMAC-SHA1). Required with `SMS_SENDER=aliyun`.',
    secret: true,
  },
  {
    env: 'SMS_ALIYUN_BASE_URL',
    default: 'https://dysmsapi.aliyuncs.com',
    description: 'Aliyun SMS endpoint (https in production).',
  },
  {
    env: 'SMS_TENCENT_SECRET_ID',
    default: '(none)',
    description: 'Tencent Cloud SecretId allowed to call SMS SendSms. Required with `SMS_SENDER=tencent`.',
  },
  {
    env: 'SMS_TENCENT_SECRET_KEY',
    default: '(none)',
    description: 'Tencent Cloud SecretKey (signs each request, TC3-HMAC-SHA256). Required with `SMS_SENDER=tencent`.',
    secret: true,
  },
  {
    env: 'SMS_TENCENT_APP_ID',
    default: '(none)',
    description: 'SmsSdkAppId of the Tencent Cloud SMS application. Required with `SMS_SENDER=tencent`.',
  },
  {
    env: 'SMS_TENCENT_REGION',
    default: 'ap-guangzhou',
    description: 'Tencent Cloud region of the SMS API.',
  },
  {
    env: 'SMS_TENCENT_BASE_URL',
    default: 'https://sms.tencentcloudapi.com',
    description: 'Tencent Cloud SMS endpoint (https in production).',
  },
  {
    env: 'KEY_PUBLISH_LEAD_SECONDS',
    default: '600',
    description:
      'How long a new ID token signing key is published in the JWKS (`/jwks`) before a rotation may make it sign (0–604800 seconds), so shops that cache the JWKS know it first: at least how long shops keep a JWKS without refetching (jose: 30 s after an unknown `kid`, 10 minutes otherwise). An earlier rotation is refused unless forced.',
  },
  {
    env: 'KEY_ROTATION_DAYS',
    default: '0 (off)',
    description:
      'Rotate the ID token signing key on a schedule: after this many days of signing (1–3650) the next key takes over (checked every minute). 0: only on request (`denglu keys rotate`, `POST /api/admin/keys/rotate`).',
  },
  {
    env: 'DENGLU_URL',
    default: 'http://localhost:3000',
    description: 'Gateway the `denglu` command line talks to (same as `--url`). Not read by the gateway.',
  },
  {
    env: 'DENGLU_TOKEN',
    default: '(none)',
    description:
      'Admin API token the `denglu` command line sends (same as `--token`): the operator token or a partner manager token `<managerId>.<secret>`. Not read by the gateway.',
    secret: true,
  },
  {
    env: 'TRUST_PROXY',
    default: '(none)',
    description:
      'The TLS-terminating reverse proxies whose `X-Forwarded-For`/`-Proto`/`-Host` are believed: `loopback`, addresses and CIDR ranges separated by commas (also `linklocal`, `uniquelocal`), or the number of proxy hops. Express and the OpenID Provider both follow it. Production with an https issuer needs it, or `TLS_CERT_FILE`.',
  },
  { env: 'TLS_CERT_FILE', default: '(none: plain http)', description: 'PEM certificate chain to serve https directly, without a proxy (with `TLS_KEY_FILE`).' },
  { env: 'TLS_KEY_FILE', default: '(none)', description: 'PEM private key of `TLS_CERT_FILE` (the file is secret: readable by the service user only).' },
  {
    env: 'HTTP_HEADERS_TIMEOUT_MS',
    default: '10000',
    description: 'Time a client has to send its request headers (1000–120000 ms); slower connections are closed.',
  },
  {
    env: 'HTTP_REQUEST_TIMEOUT_MS',
    default: '30000',
    description: 'Time a client has to send its whole request (1000–600000 ms, at least the headers timeout).',
  },
  {
    env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    default: '5000',
    description:
      "How long an idle keep-alive connection stays open (1000–600000 ms). Behind a proxy keeping upstream connections, make it longer than the proxy's idle timeout.",
  },
  { env: 'HTTP_MAX_CONNECTIONS', default: '1024', description: 'Connections open at once; more are refused at once.' },
  { env: 'HTTP_MAX_HEADER_BYTES', default: '16384', description: 'Largest request header block in bytes (1024–65536); larger requests get 431.' },
  { env: 'HTTP_MAX_HEADERS_COUNT', default: '100', description: 'Request headers read per request (10–2000); more are ignored.' },
  {
    env: 'METRICS_PORT',
    default: '(none: no metrics)',
    description:
      'Serve Prometheus metrics at `http://$METRICS_HOST:$METRICS_PORT/metrics` on a listener of their own (never on the gateway port). Unset: no metrics listener. Each instance serves its own numbers: give every instance its own scrape target.',
  },
  {
    env: 'METRICS_HOST',
    default: '127.0.0.1',
    description:
      'Address the metrics listener binds to: this machine only by default. Bind another address (e.g. `0.0.0.0`) only where the network lets nothing but Prometheus reach METRICS_PORT: the listener asks for no credentials.',
  },
  // Abuse limits (one client must not slow or fill the gateway).
  {
    env: 'PASSWORD_RATE_LIMIT',
    default: '10',
    description:
      'Password attempts per minute from one IP address, over every password form (sign-in, password change, reset); successful ones are given back, so this counts failures. More get 429 with Retry-After, before any hashing: one address costs at most this many scrypt hashes (~100 ms of a core each) a minute.',
  },
  {
    env: 'PASSWORD_ATTEMPTS_PER_SIGNIN',
    default: '10',
    description: 'Password attempts one sign-in (interaction) may make; more get 429 and the way back to the shop.',
  },
  {
    env: 'PASSWORD_HASH_CONCURRENCY',
    default: '(CPU cores − 1, from 1 to 2)',
    description: 'Password hashes (scrypt, ~100 ms and 32 MiB each) running at once; the others wait in a queue.',
  },
  {
    env: 'PASSWORD_HASH_QUEUE',
    default: '32',
    description: 'Password checks that may wait for a hash slot; past it (or past PASSWORD_HASH_WAIT_MS) a check is refused like a locked account.',
  },
  { env: 'PASSWORD_HASH_WAIT_MS', default: '2000', description: 'Longest wait for a hash slot, in milliseconds (100–60000).' },
  { env: 'SIGNINS_PER_BROWSER', default: '20', description: 'Sign-ins in progress one browser may hold; starting another drops its oldest.' },
  { env: 'SIGNINS_PER_IP', default: '300', description: 'Sign-ins in progress from one IP address; past it new ones get a "too many sign-ins" page (429).' },
  {
    env: 'SMS_PER_NUMBER_PER_DAY',
    default: '10',
    description: 'Texted codes one phone number may be sent in a day (besides the 60-second resend timer); more are refused with a page saying so.',
  },
  {
    env: 'SMS_PER_IP_PER_HOUR',
    default: '60',
    description: 'Texted codes asked for from one IP address in an hour (any numbers). High because many shoppers share a carrier NAT address.',
  },
  { env: 'SMS_PER_IP_PER_DAY', default: '300', description: 'Texted codes asked for from one IP address in a day (any numbers).' },
  {
    env: 'TOKEN_AUTH_FAILURE_LIMIT',
    default: '10',
    description:
      'Failed client authentications per minute for one client from one IP address at /token and /token/revocation; past it that client gets 429 with Retry-After from that address until the minute ends.',
  },
];

/** Values the gateway uses when a variable is unset (development). */
export const DEFAULTS = {
  port: 3000,
  dataDir: './data',
  dbPoolMax: 10,
  dbPoolWaitMs: 2000,
  dbStatementTimeoutMs: 5000,
  logLevel: 'info',
  upstreamTimeoutMs: 8000,
  upstreamMaxBodyBytes: 256 * 1024,
  flowTtlSeconds: 600,
  sessionTtlSeconds: 14 * 24 * 3600,
  accountReauthSeconds: 300,
  /** Days sign-in attempts and their summaries are kept. */
  loginEventsRetentionDays: 400,
  emulatorPortOffset: 1,
  shopPortOffset: 100,
  /** Admin API requests per minute and IP. */
  adminRateLimitPerMinute: 300,
  /** Largest admin API request body. */
  adminBodyLimit: '32kb',
  mailFrom: 'Denglu <no-reply@localhost>',
  /** A new signing key is published this long before it may sign. */
  keyPublishLeadSeconds: 600,
  passwordRateLimit: 10,
  passwordAttemptsPerSignIn: 10,
  passwordHashQueue: 32,
  passwordHashWaitMs: 2000,
  signInsPerBrowser: 20,
  signInsPerIp: 300,
  tokenAuthFailureLimit: 10,
  smsPerNumberPerDay: 10,
  smsPerIpPerHour: 60,
  smsPerIpPerDay: 300,
  /** Where the `denglu` command line looks for the gateway. */
  cliUrl: 'http://localhost:3000',
  /** HTTP server limits (src/http/gateway-server.ts). */
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 5_000,
  httpMaxConnections: 1024,
  httpMaxHeaderBytes: 16 * 1024,
  httpMaxHeadersCount: 100,
  /** The metrics listener binds to this machine only unless told otherwise. */
  metricsHost: '127.0.0.1',
} as const;
