// The signing keys of a running gateway over a real store and a manual clock (src/oidc/signing-keys.ts):
// created once with a next key, the single key of older versions upgraded in place, rotations and
// removals audited and handed to the listeners, the schedule checked by the sweep, and a change written
// by another gateway adopted at its next sweep.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../src/audit/audit.ts';
import { ManualClock } from '../../src/clock.ts';
import { GatewayError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import type { KeyPolicy } from '../../src/oidc/key-stages.ts';
import type { SigningKeys } from '../../src/oidc/secrets.ts';
import { generateSigningKey, SigningKeyRing } from '../../src/oidc/signing-keys.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.ts';

const MIN = 60_000;
const POLICY: KeyPolicy = { publishLeadMs: 10 * MIN, retentionMs: 60 * MIN, rotateEveryMs: undefined };
const OPERATOR = { kind: 'operator', id: 'operator' } as const;

describe('signing keys of a running gateway', () => {
  let dir: string;
  let store: LowdbStore;
  let clock: ManualClock;
  const logs: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream });
  const open = (policy: KeyPolicy = POLICY) => SigningKeyRing.open({ store, clock, log, policy });
  const kids = (keys: SigningKeys) => keys.keys.map((k) => String(k.kid));
  const audit = async () => (await store.list<AuditEntry>('audit')).map((e) => e.value);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'denglu-keys-'));
    clock = new ManualClock('2026-01-01T00:00:00Z');
    store = await LowdbStore.open({ dir, clock, collections: COLLECTIONS });
    logs.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a current and a next key at first start and finds the same ones at the next', async () => {
    const first = await open();
    const views = first.views();
    assert.deepEqual(
      views.map((v) => v.stage),
      ['next', 'current'],
    );
    assert.deepEqual(kids(first.jwks()), [views[1]!.kid, views[0]!.kid], 'current first: it signs');
    assert.deepEqual(kids((await open()).jwks()), kids(first.jwks()));
  });

  it('upgrades the single key of older versions: it keeps signing, a next key joins it', async () => {
    const old = (await generateSigningKey(clock.now())).jwk;
    await store.create('secrets', 'signing-keys', { keys: [old] });
    const ring = await open();
    const [current, next] = ring.jwks().keys;
    assert.equal(current!.kid, old.kid);
    assert.notEqual(next!.kid, old.kid);
    assert.deepEqual(kids((await open()).jwks()), kids(ring.jwks()), 'upgraded once, in the store');
  });

  it('rotates, audits the rotation with the stages before and after, and hands the new JWKS to the listeners', async () => {
    const ring = await open();
    const [a, b] = kids(ring.jwks());
    const seen: string[][] = [];
    ring.onChange((keys) => seen.push(kids(keys)));
    clock.advance(10 * MIN);
    await ring.rotate(OPERATOR);
    const [current, next, previous] = kids(ring.jwks());
    assert.deepEqual([current, previous], [b, a]);
    assert.deepEqual(seen, [[b, next, a]]);
    const [entry] = (await audit()).filter((e) => e.action === 'key.rotate');
    assert.deepEqual(entry!.actor, OPERATOR);
    assert.deepEqual(entry!.target, { key: b });
    assert.deepEqual(entry!.before, { current: a, next: b, previous: [] });
    assert.deepEqual(entry!.after, { current: b, next, previous: [a] });
    assert.doesNotMatch(JSON.stringify([entry, logs]), /"d":|"p":|"dq":/, 'no private key material in the audit log or the logs');
  });

  it('refuses an early rotation with 409 and writes nothing', async () => {
    const ring = await open();
    const before = JSON.stringify(await store.get('secrets', 'signing-keys'));
    clock.advance(10 * MIN - 1);
    await assert.rejects(ring.rotate(OPERATOR), (err: unknown) => err instanceof GatewayError && err.status === 409);
    assert.equal(JSON.stringify(await store.get('secrets', 'signing-keys')), before);
    assert.equal((await audit()).length, 0);
  });

  it('removes a previous key at the sweep once its tokens have expired, audited as key.remove by the system', async () => {
    const ring = await open();
    const [a] = kids(ring.jwks());
    clock.advance(10 * MIN);
    await ring.rotate(OPERATOR);
    clock.advance(60 * MIN - 1);
    await ring.maintain();
    assert.ok(kids(ring.jwks()).includes(a!), 'an ID token it signed may still be valid');
    clock.advance(1);
    await ring.maintain();
    assert.ok(!kids(ring.jwks()).includes(a!), 'removed');
    assert.ok(!kids((await open()).jwks()).includes(a!), 'removed from the store');
    const removal = (await audit()).find((e) => e.action === 'key.remove')!;
    assert.deepEqual(removal.actor, { kind: 'system', id: 'key-schedule' });
    assert.deepEqual(removal.target, { key: a });
    assert.deepEqual((removal.before as { previous: string[] }).previous, [a]);
    assert.deepEqual((removal.after as { previous: string[] }).previous, []);
  });

  it('rotates on the schedule at the sweep, and not before', async () => {
    const ring = await open({ ...POLICY, rotateEveryMs: 24 * 60 * MIN });
    const [a, b] = kids(ring.jwks());
    clock.advance(24 * 60 * MIN - 1);
    await ring.maintain();
    assert.equal(kids(ring.jwks())[0], a);
    clock.advance(1);
    await ring.maintain();
    assert.equal(kids(ring.jwks())[0], b);
    const [entry] = (await audit()).filter((e) => e.action === 'key.rotate');
    assert.deepEqual(entry!.actor, { kind: 'system', id: 'key-schedule' });
  });

  it('adopts keys another gateway rotated at its next sweep, and does not rotate them twice', async () => {
    const policy = { ...POLICY, rotateEveryMs: 24 * 60 * MIN };
    const here = await open(policy);
    const there = await open(policy);
    const seen: string[][] = [];
    here.onChange((keys) => seen.push(kids(keys)));
    clock.advance(24 * 60 * MIN);
    await there.maintain();
    await here.maintain();
    assert.deepEqual(kids(here.jwks()), kids(there.jwks()));
    assert.equal(seen.length, 1);
    assert.equal((await audit()).filter((e) => e.action === 'key.rotate').length, 1, 'one scheduled rotation for both gateways');
  });
});
