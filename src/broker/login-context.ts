// Everything the login pages need, built once: the broker, the store, the clock, the renderer and the
// provider descriptors. Handlers receive it explicitly (no service locator).

import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { Renderer } from '../http/render.ts';
import type { OidcProvider } from '../oidc/provider.ts';
import type { ProviderDescriptor } from '../../providers/contract.ts';
import type { Broker } from './broker.ts';
import type { TokenSealer } from '../accounts/upstream-token.ts';
import type { ResumeInPlace } from '../oidc/resume-in-place.ts';
import type { InteractionCsrf } from './interaction-csrf.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import type { PasswordLimits } from './password-limits.ts';
import type { SignInsInProgress } from './sign-ins-in-progress.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { LoginEvents } from '../events/recorder.ts';

export interface LoginContext {
  store: Store;
  clock: Clock;
  log: Logger;
  broker: Broker;
  renderer: Renderer;
  descriptors: ReadonlyMap<string, ProviderDescriptor>;
  secureCookies: boolean;
  /** Seals upstream access tokens kept for revocation. */
  sealer: TokenSealer;
  /** Re-authentication is required for account changes when the session is older than this. */
  reauthAfterMs: number;
  /** Set once the provider exists (the provider's interaction hook needs the broker first). */
  oidc: () => OidcProvider;
  /** Answers a request that finished an interaction with oidc-provider's resume (see resume-in-place.ts). */
  resume: ResumeInPlace;
  /** CSRF tokens of the sign-in forms (consent, abort, continue, password). */
  csrf: InteractionCsrf;
  /** The bounded queue every password hash waits in (src/accounts/hash-queue.ts). */
  hashes: HashQueue;
  /** Request limits of the password forms, per address and per sign-in. */
  passwordLimits: PasswordLimits;
  /** Sign-ins in progress per browser and address (src/broker/sign-in-admission.ts). */
  signIns: SignInsInProgress;
  /** Counters of sign-in outcomes (src/broker/record-sign-in.ts). */
  metrics: GatewayMetrics;
  /** Sign-in attempts, buffered off the request path (src/events/recorder.ts); absent: not recorded. */
  events?: LoginEvents;
}
