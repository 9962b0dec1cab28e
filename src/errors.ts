// One error base for the whole gateway: a stable code, an HTTP status and whether the message is safe to
// show to the person who caused it. Upstream failures also carry the provider and the step that failed.

export type ErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_STORE_CORRUPT'
  | 'ERR_STORE_LOCKED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_NOT_FOUND'
  | 'ERR_ALREADY_EXISTS'
  | 'ERR_CONFLICT'
  | 'ERR_VALIDATION'
  | 'ERR_UPSTREAM'
  | 'ERR_FLOW_EXPIRED'
  | 'ERR_FLOW_STATE_MISMATCH'
  | 'ERR_PROVIDER_UNKNOWN'
  | 'ERR_PROVIDER_UNAVAILABLE'
  | 'ERR_INTEGRATION_ENDED'
  | 'ERR_LINK_CONFLICT'
  | 'ERR_PROVIDER_ALREADY_LINKED'
  | 'ERR_MIGRATE_NO_ACCOUNT'
  | 'ERR_NEW_ACCOUNTS_CLOSED'
  | 'ERR_LAST_METHOD'
  | 'ERR_CSRF'
  | 'ERR_REAUTH_REQUIRED'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_RATE_LIMITED'
  | 'ERR_INTERACTION_LOST'
  | 'ERR_TOO_MANY_SIGNINS';

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** true: the message may be shown to the client or shopper as is. */
  readonly expose: boolean;
  /** Which rule the request broke, with its values, for wording the message in another language (as FieldProblem). */
  readonly rule: string | undefined;
  readonly params: Record<string, string | number> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number; expose?: boolean; cause?: unknown; rule?: string; params?: Record<string, string | number> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.rule = options.rule;
    this.params = options.params;
  }
}

/**
 * Where in the upstream round trip a failure happened (vocabulary borrowed from Ory Kratos); `discovery`:
 * an OpenID Connect issuer's metadata; `revoke`: revoking a grant at the provider (on unlinking), outside
 * the sign-in round trip.
 */
export type UpstreamStep =
  | 'discovery'
  | 'provider_denied'
  | 'state_validate'
  | 'token_exchange'
  | 'token_verify'
  | 'userinfo'
  | 'profile_decode'
  | 'timeout'
  | 'revoke';

export class UpstreamError extends GatewayError {
  readonly providerId: string;
  readonly step: UpstreamStep;
  constructor(providerId: string, step: UpstreamStep, message: string, options: { cause?: unknown } = {}) {
    super('ERR_UPSTREAM', message, { status: 502, expose: false, cause: options.cause });
    this.name = 'UpstreamError';
    this.providerId = providerId;
    this.step = step;
  }
}

/** A refused field: the rule it broke in English, and which rule with its values (for other languages). */
export interface FieldProblem {
  field: string;
  message: string;
  rule?: string;
  params?: Record<string, string | number>;
}

export class ValidationError extends GatewayError {
  /** Each problem names the field and the rule it broke. */
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super('ERR_VALIDATION', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { status: 400, expose: true });
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
