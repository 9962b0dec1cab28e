// What this gateway process tells Prometheus (prom-client, one registry per process and app): sign-ins by
// partner, method and outcome; calls to providers by provider and step (latency, failures); store
// operations (latency, errors); integration phases and the webhook delivery backlog, both read at scrape
// time. Label values are bounded by construction: callers pass partner ids of partners they found, method
// ids Denglu knows (or `unknown`), fixed step, operation and outcome names — never account ids, never a
// client id or a path segment as received.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamObserver } from '../../providers/contract.ts';
import type { SignInOutcome } from './sign-in-outcome.ts';

/** A label value for a partner or method not found among the known ones. */
export const UNKNOWN = 'unknown';

/** One integration as the phase gauges show it (see integration-phases.ts). */
export interface IntegrationPhaseSample {
  partner: string;
  provider: string;
  /** A lifecycle phase, or `not_configured` when this deployment has no credentials for the provider. */
  state: string;
  /** The next scheduled phase change (epoch ms), if any. */
  nextChangeAt?: number;
}

/** States of the integration phase gauge: one series each, 1 for the current state. */
export const INTEGRATION_STATES = ['upcoming', 'live', 'notice', 'grace', 'ended', 'not_configured'] as const;

/** Store latency buckets: an in-memory read takes microseconds, a PostgreSQL round trip about a millisecond. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Upstream latency buckets: providers answer in tens to hundreds of milliseconds; the deadline is seconds. */
const UPSTREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface GatewayMetricsOptions {
  /** Also the Node.js process metrics (CPU, memory, event loop lag, GC): for the running gateway, not tests. */
  processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly signIns = this.#counter(
    'denglu_sign_ins_total',
    'Sign-in attempts at shops by partner, sign-in method and outcome (success, denied, upstream_failure, lifecycle_refused, error).',
    ['partner', 'provider', 'outcome'],
  );
  readonly upstreamFailures = this.#counter(
    'denglu_upstream_failures_total',
    'Upstream round trips that failed, by provider and the step that failed (provider_denied is the shopper refusing).',
    ['provider', 'step'],
  );
  readonly upstreamDuration = this.#histogram(
    'denglu_upstream_request_duration_seconds',
    'Duration of HTTP calls to providers, by provider and step, failed calls included.',
    ['provider', 'step'],
    UPSTREAM_BUCKETS,
  );
  readonly upstreamErrors = this.#counter(
    'denglu_upstream_request_errors_total',
    'HTTP calls to providers that got no usable answer, by provider, step and reason (timeout, transport, http_status, too_large).',
    ['provider', 'step', 'reason'],
  );
  readonly storeDuration = this.#histogram(
    'denglu_store_operation_duration_seconds',
    'Duration of store operations (get, find, update, batch, …), failed ones included.',
    ['operation'],
    STORE_BUCKETS,
  );
  readonly storeErrors = this.#counter(
    'denglu_store_errors_total',
    'Store operations that failed, by operation and error code (ERR_STORE_UNAVAILABLE: the store did not answer).',
    ['operation', 'code'],
  );
  #phases: (() => Promise<IntegrationPhaseSample[]>) | undefined;
  #backlog: (() => Promise<number>) | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.#phaseGauge(
      'denglu_integration_phase',
      'Lifecycle phase of each integration (partner, provider) now: 1 for its current state, 0 for the others.',
      ['partner', 'provider', 'phase'],
      (gauge, sample) => {
        for (const state of INTEGRATION_STATES) gauge.set({ partner: sample.partner, provider: sample.provider, phase: state }, state === sample.state ? 1 : 0);
      },
    );
    this.#phaseGauge(
      'denglu_integration_next_change_timestamp_seconds',
      'When each integration (partner, provider) changes phase next (Unix seconds); absent when nothing is scheduled.',
      ['partner', 'provider'],
      (gauge, sample) => {
        if (sample.nextChangeAt !== undefined) gauge.set({ partner: sample.partner, provider: sample.provider }, sample.nextChangeAt / 1000);
      },
    );
    const backlog = () => this.#backlog;
    new Gauge({
      name: 'denglu_webhook_deliveries_pending',
      help: 'Webhook deliveries waiting to be sent or retried (read from the shared store: every instance reports the same number).',
      registers: [this.registry],
      async collect() {
        const read = backlog();
        if (read) this.set(await read());
      },
    });
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge of the integrations, set from their phases read afresh at each scrape (none until readIntegrationPhases). */
  #phaseGauge<L extends string>(name: string, help: string, labelNames: readonly L[], set: (gauge: Gauge<L>, sample: IntegrationPhaseSample) => void): void {
    const phases = () => this.#phases;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        const read = phases();
        if (!read) return;
        for (const sample of await read()) set(this, sample);
      },
    });
  }

  /** Reads the integrations' phases when Prometheus scrapes (integration-phases.ts). */
  readIntegrationPhases(read: () => Promise<IntegrationPhaseSample[]>): void {
    this.#phases = read;
  }

  /**
   * The webhook delivery backlog: the webhook queue registers how to count its pending deliveries, read
   * once per scrape (e.g. `metrics.readWebhookBacklog(() => store.count('webhookDeliveries'))`). Until
   * then the gauge shows 0.
   */
  readWebhookBacklog(read: () => Promise<number>): void {
    this.#backlog = read;
  }

  /** One sign-in attempt's end (src/broker/sign-in-outcome.ts bounds the labels). */
  signIn(partner: string, provider: string, outcome: SignInOutcome): void {
    this.signIns.labels(partner, provider, outcome).inc();
  }

  /** What UpstreamHttp reports about each call (providers/shared/upstream-http.ts). */
  readonly upstream: UpstreamObserver = (provider, step, seconds, error) => {
    this.upstreamDuration.labels(provider, step).observe(seconds);
    if (error) this.upstreamErrors.labels(provider, step, error).inc();
  };

  /** The Prometheus text exposition of this registry. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
