// The benchmark's signing key rotation check: one measured window of brokered logins during which the
// operator rotates Denglu's signing keys twice through the admin API, as soon as the gateway allows
// each rotation. The bench shop verifies every ID token against a JWKS it caches and refetches on an
// unknown `kid` (jose's createRemoteJWKSet); the check counts its verification failures (target: 0).
// The gateway publishes a next key ROTATION_LEAD_SECONDS before it may sign, and the shop's refetch
// cooldown is no longer than that — the same relation as KEY_PUBLISH_LEAD_SECONDS (600 s) to jose's 30 s
// default, scaled down to fit a window of seconds.

import { createRemoteJWKSet } from 'jose';
import { SANDBOX_OPERATOR_TOKEN } from '../config/sandbox-seed.ts';
import { login, type Target } from './load-client.ts';

/** KEY_PUBLISH_LEAD_SECONDS of the benchmark's Denglu. */
export const ROTATION_LEAD_SECONDS = 1;

export interface RotationCheck {
  seconds: number;
  concurrency: number;
  logins: number;
  rotations: number;
  /** ID tokens the shop could not verify (unknown kid after its refetch, bad signature). */
  verificationFailures: number;
  /** Logins that failed for any other reason. */
  otherErrors: number;
  firstError?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function admin(issuer: string, method: string, path: string): Promise<any> {
  const res = await fetch(`${issuer}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`admin API ${method} ${path} answered ${res.status}: ${body.message}`);
  return body;
}

/** Rotates once the next key has been published for the lead (the gateway refuses earlier). */
async function rotateWhenReady(issuer: string): Promise<void> {
  const next = (await admin(issuer, 'GET', '/keys')).keys.find((k: { stage: string }) => k.stage === 'next');
  await sleep(Math.max(0, next.signsFromMs - Date.now()) + 50);
  await admin(issuer, 'POST', '/keys/rotate');
}

export async function rotationCheck(denglu: Target, concurrency: number, seconds: number): Promise<RotationCheck> {
  const jwks = createRemoteJWKSet(new URL(`${denglu.issuer}/jwks`), { cooldownDuration: ROTATION_LEAD_SECONDS * 1000 });
  const target: Target = { ...denglu, jwks };
  const window = Math.max(seconds, 3 * ROTATION_LEAD_SECONDS + 2);
  const started = performance.now();
  const deadline = started + window * 1000;
  const out: RotationCheck = { seconds: window, concurrency, logins: 0, rotations: 0, verificationFailures: 0, otherErrors: 0 };
  let rotationFailed: unknown;
  const rotations = (async () => {
    await sleep(1000);
    for (let i = 0; i < 2; i++) {
      await rotateWhenReady(denglu.issuer);
      out.rotations++;
    }
  })().catch((err) => {
    rotationFailed = err;
  });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await login(target);
          out.logins++;
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          if (code.startsWith('ERR_JW')) out.verificationFailures++;
          else out.otherErrors++;
          out.firstError ??= `${code} ${(err as Error).message}`.trim();
        }
      }
    }),
  );
  await rotations;
  if (rotationFailed) throw rotationFailed;
  out.seconds = (performance.now() - started) / 1000;
  return out;
}
