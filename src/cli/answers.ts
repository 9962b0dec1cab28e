// The admin API answers the command line reads: only the fields it prints. The gateway writes them
// (src/admin); the client trusts their shape, and `--json` prints them whole, fields not listed here included.

type Instant = string | number | null;
type Localized = Record<string, string | undefined>;

export interface NextChange {
  phase: string;
  at: Instant;
}

export interface IntegrationAnswer {
  provider: string;
  phase: string;
  since?: Instant;
  next?: NextChange | null;
  configured?: boolean;
  startsAt?: Instant;
  noticeAt?: Instant;
  cutoffAt?: Instant;
  graceEndsAt?: Instant;
  atCutoff: string;
  newAccountsDuringNotice?: boolean;
  notice?: Localized | null;
  noticeText?: Localized | null;
}

export interface PartnersAnswer {
  partners: { id: string; name: Record<'zh-CN' | 'en', string>; timeZone: string; clients: unknown[]; integrations: IntegrationAnswer[] }[];
}

export interface IntegrationsAnswer {
  partner: string;
  timeZone: string;
  now: Instant;
  integrations: IntegrationAnswer[];
}

export interface IntegrationDetailAnswer {
  partner: string;
  timeZone: string;
  integration: IntegrationAnswer;
  created?: boolean;
  immediate?: boolean;
}

export interface PreviewAnswer {
  shop: string;
  partner: string;
  at: Instant;
  timeZone: string;
  locale: string;
  providers: { id: string; label: string; shown: string; phase: string; note?: string; reason?: string; notice?: string; next?: NextChange | null }[];
}

export interface AuditEntryAnswer {
  at: Instant;
  actor: { kind: string; id: string };
  action: string;
  target: Record<string, unknown>;
  timeZone?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditAnswer {
  entries: AuditEntryAnswer[];
  next?: string | null;
}

export interface KeyAnswer {
  kid: string;
  stage: string;
  alg: string;
  createdAt: Instant;
  signsFrom?: Instant;
  activatedAt?: Instant;
  removedAt?: Instant;
}

export interface KeysAnswer {
  keys: KeyAnswer[];
  policy: { rotationDays: number | null; publishLeadSeconds: number; retentionSeconds: number };
}

/** An error answer: what the client reads to explain a refusal. */
export interface ErrorAnswer {
  error?: string;
  message?: string;
  requestId?: string;
  problems?: unknown;
}
