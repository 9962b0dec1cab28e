// The admin API's signing key routes: the operator's alone (a partner manager gets 403 and nothing
// changes), stages and dates without key material, an early rotation refused with 409, bad bodies with
// 400/415, and every rotation audited with the operator as actor.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from './admin-client.ts';

describe('admin API: signing keys', () => {
  let gw: Gateway;
  let op: ReturnType<typeof client>;
  let manager: ReturnType<typeof client>;
  const clock = new ManualClock('2026-01-01T00:00:00Z');

  before(async () => {
    gw = await startGateway({ clock });
    op = client(gw, OPERATOR);
    manager = client(gw, (await op.post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token);
  });
  after(async () => {
    await gw.close();
  });

  const unchanged = async () => ({ keys: JSON.stringify(await gw.store.get('secrets', 'signing-keys')), audit: await gw.store.count('audit') });

  it('lists the keys in their stages with dates in UTC and epoch ms, never key material', async () => {
    const answer = await op.get('/keys');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.deepEqual(answer.body.policy, { publishLeadSeconds: 600, retentionSeconds: 3600, rotationDays: null });
    const stages = answer.body.keys.map((k: any) => k.stage);
    assert.deepEqual(
      stages.filter((s: string) => s !== 'previous'),
      ['next', 'current'],
    );
    const next = answer.body.keys[0];
    assert.equal(next.signsFromMs, next.createdAtMs + 600_000);
    assert.match(next.signsFrom, /Z$|\+00:00$/);
    for (const k of answer.body.keys)
      assert.deepEqual(
        Object.keys(k).filter((f) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'n', 'e', 'jwk'].includes(f)),
        [],
      );
  });

  it('answers 403 to a partner manager and 401 without a token, and changes nothing', async () => {
    const before = await unchanged();
    for (const [who, status] of [
      [manager, 403],
      [client(gw, undefined), 401],
    ] as const) {
      assert.equal((await who.get('/keys')).status, status);
      const rotate = await who.post('/keys/rotate', { force: true });
      assert.equal(rotate.status, status);
    }
    assert.deepEqual(await unchanged(), before);
  });

  it('refuses an early rotation with 409 saying when the next key may sign, and bad bodies with 400 and 415', async () => {
    const before = await unchanged();
    const early = await op.post('/keys/rotate', {});
    assert.equal(early.status, 409);
    assert.equal(early.body.error, 'ERR_CONFLICT');
    assert.match(early.body.message, /may sign from \d{4}-\d\d-\d\dT/);
    const wrongType = await op.post('/keys/rotate', { force: 'yes' });
    assert.equal(wrongType.status, 400);
    assert.deepEqual(
      wrongType.body.problems.map((p: any) => p.field),
      ['force'],
    );
    assert.equal((await op.post('/keys/rotate', { force: true, now: 1 })).status, 400);
    assert.equal((await op.raw('POST', '/keys/rotate', 'force=true', 'application/x-www-form-urlencoded')).status, 415);
    assert.deepEqual(await unchanged(), before);
  });

  it('rotates when the next key has been published for the lead, audited as key.rotate by the operator', async () => {
    const { body } = await op.get('/keys');
    const next = body.keys.find((k: any) => k.stage === 'next');
    const current = body.keys.find((k: any) => k.stage === 'current');
    clock.set(next.signsFromMs);
    const rotated = await op.post('/keys/rotate', {});
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.equal(rotated.body.keys.find((k: any) => k.stage === 'current').kid, next.kid);
    const previous = rotated.body.keys.find((k: any) => k.kid === current.kid);
    assert.equal(previous.stage, 'previous');
    assert.equal(previous.removedAtMs, clock.now() + 3600_000);
    const jwks = await (await fetch(`${gw.issuer}/jwks`)).json();
    assert.equal(jwks.keys[0].kid, next.kid, 'the running gateway signs with it');
    const entry = (await op.get('/audit?action=key.rotate&limit=1')).body.entries[0];
    assert.deepEqual(entry.actor, { kind: 'operator', id: 'operator' });
    assert.deepEqual(entry.target, { key: next.kid });
    assert.equal(entry.before.current, current.kid);
    assert.equal(entry.after.current, next.kid);
    assert.deepEqual((await manager.get('/audit?action=key')).body.entries, [], 'managers do not see key entries');
  });
});
