// `denglu keys list` and `denglu keys rotate` as a real process against a real gateway: the stages as a
// table, an early rotation refused (exit 1) with when it may happen, --force, a partner manager refused
// (exit 4), a wrong action a usage error (exit 2), and the rotation in the audit log.

import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from './admin-client.ts';
import { denglu } from './cli-process.ts';

describe('denglu keys', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let as: (token: string) => Record<string, string>;
  let managerToken: string;
  const clock = new ManualClock('2026-01-01T00:00:00Z');

  before(async () => {
    gw = await startGateway({ clock });
    as = (token) => ({ DENGLU_URL: gw.issuer, DENGLU_TOKEN: token });
    managerToken = (await client(gw, OPERATOR).post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token;
  });
  after(async () => {
    await gw.close();
  });

  const stageOf = async (stage: string) => (await client(gw, OPERATOR).get('/keys')).body.keys.find((k: any) => k.stage === stage);

  it('lists the keys as a table with the rotation policy', async () => {
    const next = await stageOf('next');
    const list = await denglu(['keys', 'list'], as(OPERATOR));
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^KID\s+STAGE\s+ALG\s+PUBLISHED\s+NOTE$/m);
    assert.match(
      list.stdout,
      new RegExp(`^${next.kid}\\s+next\\s+RS256\\s+2026-01-01 00:00 \\+00:00\\s+published; may sign from 2026-01-01 00:10 \\+00:00$`, 'm'),
    );
    assert.match(list.stdout, /^\S+\s+current\s+RS256\s+.*signing since 2026-01-01 00:00 \+00:00$/m);
    assert.match(list.stdout, /^Rotation: on request only; a next key is published 600 s before it may sign; previous keys stay 3600 s/m);
    const json = await denglu(['keys', 'list', '--json'], as(OPERATOR));
    assert.equal(JSON.parse(json.stdout).keys[0].kid, next.kid);
  });

  it('refuses an early rotation (exit 1), rotates with --force, and records it in the audit log', async () => {
    const next = await stageOf('next');
    const early = await denglu(['keys', 'rotate'], as(OPERATOR));
    assert.equal(early.code, 1, early.stdout);
    assert.match(early.stderr, /may sign from/);
    assert.equal((await stageOf('next')).kid, next.kid, 'nothing changed');
    const forced = await denglu(['keys', 'rotate', '--force'], as(OPERATOR));
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`^Rotated: ${next.kid} signs now\\.$`, 'm'));
    assert.match(forced.stdout, /\s+previous\s+RS256\s+.*verification only; removed at /);
    const audit = await denglu(['audit', '--action', 'key.rotate'], as(OPERATOR));
    assert.match(audit.stdout, new RegExp(`operator:operator\\s+key\\.rotate\\s+key=${next.kid}`));
  });

  it('rotates without --force once the next key has been published for the lead', async () => {
    const next = await stageOf('next');
    clock.set(next.signsFromMs);
    const rotated = await denglu(['keys', 'rotate'], as(OPERATOR));
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal((await stageOf('current')).kid, next.kid);
  });

  it('refuses a partner manager (exit 4) and a wrong action or option (exit 2), changing nothing', async () => {
    const before = JSON.stringify(await gw.store.get('secrets', 'signing-keys'));
    const manager = await denglu(['keys', 'rotate', '--force'], as(managerToken));
    assert.equal(manager.code, 4);
    assert.match(manager.stderr, /not allowed: only the operator may do this/);
    assert.equal((await denglu(['keys', 'list'], as(managerToken))).code, 4);
    const wrong = await denglu(['keys', 'spin'], as(OPERATOR));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown action "spin": use list or rotate/);
    assert.equal((await denglu(['keys'], as(OPERATOR))).code, 2);
    assert.equal((await denglu(['keys', 'list', '--force'], as(OPERATOR))).code, 2);
    assert.equal(JSON.stringify(await gw.store.get('secrets', 'signing-keys')), before);
  });
});
