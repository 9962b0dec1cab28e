// The `denglu` command line end to end: a real process (node --import tsx src/cli/main.ts) against a
// real gateway. Output for people (tables, dates in the partner's zone), --json, help, the JD-like
// schedule walk by a partner manager, problems one per line, and exit codes for every failure.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ManualClock } from '../../src/clock.ts';
import { startGateway, type Gateway } from '../support/gateway.ts';
import { client, OPERATOR } from './admin-client.ts';
import { denglu } from './cli-process.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('denglu command line', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let managerToken: string;
  let as: (token: string) => Record<string, string>;

  before(async () => {
    gw = await startGateway({ clock: new ManualClock('2013-09-01T00:00:00+08:00') });
    managerToken = (await client(gw, OPERATOR).post('/managers', { name: 'Alpha manager', partners: ['alpha'] })).body.token;
    as = (token) => ({ DENGLU_URL: gw.issuer, DENGLU_TOKEN: token });
  });
  after(async () => {
    await gw.close();
  });

  it('prints help for the program and each command, also through the bin launcher', async () => {
    const main = await denglu(['--help']);
    assert.equal(main.code, 0);
    for (const c of ['partners', 'integrations', 'show', 'schedule', 'preview', 'audit', 'keys']) assert.match(main.stdout, new RegExp(`^  ${c} `, 'm'));
    assert.match(main.stdout, /Exit codes: 0 done, 1 refused/);
    const schedule = await denglu(['schedule', '--help']);
    assert.equal(schedule.code, 0);
    assert.match(schedule.stdout, /Usage: denglu schedule <partner> <provider>/);
    for (const flag of [
      '--starts',
      '--notice',
      '--cutoff',
      '--grace-ends',
      '--clear-cutoff',
      '--policy keep|revoke',
      '--no-new-accounts-during-notice',
      '--notice-zh',
      '--notice-en',
      '--immediately',
    ]) {
      assert.match(schedule.stdout, new RegExp(flag), flag);
    }
    const viaHelp = await denglu(['help', 'preview']);
    assert.match(viaHelp.stdout, /Usage: denglu preview <partner> \[--at <instant>\]/);
    const bin = await denglu(['audit', '--help'], {}, 'src/cli/denglu.mjs');
    assert.equal(bin.code, 0, bin.stderr);
    assert.match(bin.stdout, /Usage: denglu audit/);
  });

  it('lists partners and integrations as tables, and raw JSON with --json', async () => {
    const list = await denglu(['partners'], as(OPERATOR));
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+NAME\s+TIME ZONE\s+CLIENTS\s+PROVIDERS \(PHASE NOW\)$/m);
    assert.match(list.stdout, /^alpha\s+阿尔法商店 · Alpha Shop\s+Asia\/Shanghai\s+3\s+weibo live, qq live, sohu live, alipay live, password live$/m);
    assert.match(list.stdout, /^gamma /m);

    const json = await denglu(['partners', '--json'], as(OPERATOR));
    const ids = JSON.parse(json.stdout).partners.map((p: { id: string }) => p.id);
    for (const id of ['alpha', 'beta', 'gamma']) assert.ok(ids.includes(id), `${id} is listed`);

    const integrations = await denglu(['integrations', 'alpha', '--url', gw.issuer, '--token', managerToken]);
    assert.equal(integrations.code, 0, integrations.stderr);
    assert.match(integrations.stdout, /^alpha: times in Asia\/Shanghai, now 2013-09-01 00:00 \+08:00$/m);
    assert.match(integrations.stdout, /^PROVIDER\s+PHASE\s+NEXT CHANGE/m);
    assert.match(integrations.stdout, /^weibo\s+live\s+—/m);
  });

  it("lets alpha's manager schedule Weibo's cutoff, show it, preview it and find it in the audit log", async () => {
    const scheduled = await denglu(
      [
        'schedule',
        'alpha',
        'weibo',
        '--notice',
        '2013-09-10T00:00+08:00',
        '--cutoff',
        '2013-09-25T00:00[Asia/Shanghai]',
        '--grace-ends',
        '2013-10-25T00:00+08:00',
        '--policy',
        'revoke',
        '--notice-en',
        'Weibo sign-in at Alpha ends on 25 September.',
      ],
      as(managerToken),
    );
    assert.equal(scheduled.code, 0, scheduled.stderr);
    assert.match(scheduled.stdout, /^Scheduled weibo at alpha\.$/m);
    assert.match(scheduled.stdout, /^  cutoff\s+2013-09-25 00:00 \+08:00$/m);
    assert.match(scheduled.stdout, /^  next change\s+notice at 2013-09-10 00:00 \+08:00$/m);
    assert.match(scheduled.stdout, /^  at cutoff\s+revoke refresh tokens$/m);
    const stored = ((await gw.store.get('partners', 'alpha')) as any).integrations.find((i: { provider: string }) => i.provider === 'weibo');
    assert.equal(stored.cutoffAt, Date.parse('2013-09-24T16:00:00Z'));
    assert.equal(stored.atCutoff, 'revoke');

    const show = await denglu(['show', 'alpha', 'weibo'], as(managerToken));
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^weibo at alpha \(times in Asia\/Shanghai\)$/m);
    assert.match(show.stdout, /^  grace ends\s+2013-10-25 00:00 \+08:00$/m);
    assert.match(show.stdout, /^  notice text \(en\)\s+Weibo sign-in at Alpha ends on 25 September\.$/m);
    assert.match(show.stdout, /^  notice text \(zh-CN\), default\s+阿尔法商店将于/m);

    const during = await denglu(['preview', 'alpha', '--at', '2013-09-20T10:00+08:00', '--locale', 'en'], as(managerToken));
    assert.equal(during.code, 0, during.stderr);
    assert.match(during.stdout, /^Login page of Alpha Shop \(alpha\) at 2013-09-20 10:00 \+08:00 \(Asia\/Shanghai\), en$/m);
    assert.match(during.stdout, /^Weibo \(weibo\)\s+button\s+notice\s+stops on 25 September 2013 at 00:00 \(Beijing time\)$/m);
    const afterCutoff = await denglu(['preview', 'alpha', '--at', '2013-09-26T10:00+08:00', '--locale', 'en'], as(managerToken));
    assert.match(afterCutoff.stdout, /^Weibo \(weibo\)\s+migration link only\s+grace/m);
    assert.match(afterCutoff.stdout, /^QQ \(qq\)\s+button\s+live/m);

    const audit = await denglu(['audit', '--partner', 'alpha', '--action', 'integration'], as(managerToken));
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(audit.stdout, /^TIME\s+ACTOR\s+ACTION\s+TARGET\s+CHANGE$/m);
    assert.match(
      audit.stdout,
      /^2013-09-01 00:00 \+08:00\s+manager:mgr-\w+\s+integration\.schedule\s+partner=alpha provider=weibo\s+.*cutoffAt: — → 2013-09-25 00:00/m,
    );
  });

  it('lists validation problems one per line, naming the flag, and exits 1 without changing anything', async () => {
    const before = JSON.stringify(await gw.store.get('partners', 'alpha'));
    const bare = await denglu(['schedule', 'alpha', 'qq', '--cutoff', '2013-09-25T00:00'], as(managerToken));
    assert.equal(bare.code, 1);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /^denglu schedule: the gateway refused this \(ERR_VALIDATION, request [\w-]+\):$/m);
    assert.match(bare.stderr, /^  cutoffAt \(--cutoff\): "2013-09-25T00:00" has no offset or time zone/m);

    const reversed = await denglu(
      ['schedule', 'alpha', 'qq', '--notice', '2013-09-26T00:00+08:00', '--cutoff', '2013-09-25T00:00+08:00', '--policy', 'revoke'],
      as(managerToken),
    );
    assert.equal(reversed.code, 1);
    assert.match(reversed.stderr, /^  cutoffAt \(--cutoff\): must be after noticeAt/m);

    const past = await denglu(['schedule', 'alpha', 'qq', '--cutoff', '2013-08-01T00:00+08:00'], as(managerToken));
    assert.equal(past.code, 1);
    assert.match(past.stderr, /effectiveImmediately/);

    const unknown = await denglu(['show', 'alpha', 'myspace'], as(managerToken));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^  provider: "myspace" is not a provider Denglu knows/m);
    const missing = await denglu(['integrations', 'nowhere'], as(OPERATOR));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /partner "nowhere" does not exist \(ERR_NOT_FOUND/);
    assert.equal(JSON.stringify(await gw.store.get('partners', 'alpha')), before);
  });

  it('applies an immediate cutoff with --immediately', async () => {
    const res = await denglu(['schedule', 'alpha', 'sohu', '--immediately'], as(OPERATOR));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Sign-in with sohu at alpha ended now \(effective immediately\)\./);
    assert.match(res.stdout, /^  phase\s+grace since 2013-09-01 00:00 \+08:00$/m);
  });

  it('exits 4 for a missing or wrong token and for partners the manager does not manage', async () => {
    const none = await denglu(['partners'], { DENGLU_URL: gw.issuer });
    assert.equal(none.code, 4);
    assert.match(none.stderr, /no admin token: pass --token/);
    const wrong = await denglu(['partners'], as('alpha.wrong'));
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /the gateway refused the token \(ERR_UNAUTHORIZED/);
    const other = await denglu(['integrations', 'beta'], as(managerToken));
    assert.equal(other.code, 4);
    assert.match(other.stderr, /not allowed: you do not manage partner "beta"/);
  });

  it('exits 3 when the gateway is unreachable and 2 for usage errors', async () => {
    const down = await denglu(['partners', '--url', `http://127.0.0.1:${await closedPort()}`, '--token', OPERATOR]);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is it running\?/);
    const usage: [string[], RegExp][] = [
      [[], /Usage: denglu <command>/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['show', 'alpha'], /missing <provider>/],
      [['partners', 'extra'], /unexpected argument "extra"/],
      [['schedule', 'alpha', 'weibo', '--cutof', 'x'], /Unknown option '--cutof'/],
      [['schedule', 'alpha', 'weibo', '--policy', 'delete'], /--policy must be keep or revoke/],
      [['schedule', 'alpha', 'weibo', '--cutoff', '2013-09-25T00:00+08:00', '--clear-cutoff'], /contradict/],
    ];
    for (const [args, message] of usage) {
      const res = await denglu(args, as(OPERATOR));
      assert.equal(res.code, 2, args.join(' '));
      assert.match(res.stderr, message, args.join(' '));
    }
  });
});
