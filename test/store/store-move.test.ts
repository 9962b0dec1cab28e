// Moving a store (`denglu store export | import | copy`): every kept document and its expiry arrives,
// volatile sign-ins in progress and expired documents do not, a target holding data is refused and left
// unchanged, a damaged file is refused before anything is written, a directory held by a running gateway
// is refused with a clear message, and the command line prints the counts and exits non-zero on a refusal.
// On PostgreSQL (test/support/postgres.ts): embedded → file → postgres → file → embedded keeps everything.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.ts';
import { ManualClock } from '../../src/clock.ts';
import { COLLECTIONS } from '../../src/store/collections.ts';
import { createStore } from '../../src/store/create-store.ts';
import { MoveRefusedError } from '../../src/store/move/load-target.ts';
import { readExportFile } from '../../src/store/move/export-file.ts';
import { MoveFileError } from '../../src/store/move/move-format.ts';
import { copyStore, exportStore, importStore } from '../../src/store/move/move-store.ts';
import { storeSource } from '../../src/store/move/move-source.ts';
import { SHOP_USAGE_COLLECTION, shopUsageId } from '../../src/events/shop-usage.ts';
import type { DumpedDocument, Store } from '../../src/store/store.ts';
import type { UsageClass, UsageTally, UsageTallyQuery } from '../../src/store/usage-tally.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEPT = COLLECTIONS.filter((c) => c.group !== 'volatile').map((c) => c.name);
const ACCOUNTS = 2_345; // more than one dump page and one load chunk

/** A data directory holding something in every kept collection, and one session that has expired. */
async function fill(store: Store, clock: ManualClock): Promise<void> {
  const now = clock.now();
  await store.put('partners', 'jd', { id: 'jd', name: { en: 'JD.com' }, clients: [{ client_id: 'jd-shop' }] });
  await store.put('partners', 'dangdang', { id: 'dangdang', name: { en: 'Dangdang' }, clients: [{ client_id: 'dd-shop' }] });
  for (let i = 0; i < ACCOUNTS; i += 500) {
    const docs: DumpedDocument[] = [];
    for (let n = i; n < Math.min(ACCOUNTS, i + 500); n++) {
      const id = `acct-${String(n).padStart(6, '0')}`;
      docs.push({
        id,
        value: {
          id,
          createdAt: now - DAY,
          identities: [{ provider: 'weibo', subject: `${1000000000 + n}`, keys: [`weibo:uid:${1000000000 + n}`], displayName: `用户${n}` }],
          ...(n % 7 === 0 ? { native: { email: `u${n}@example.cn`, emailVerifiedAt: now } } : {}),
          shops: { jd: { firstAt: now - DAY, lastAt: now, lastProvider: 'weibo' } },
        },
      });
    }
    await store.load('accounts', docs);
  }
  await store.put('audit', '2013-0001', { at: now, actor: { kind: 'operator', id: 'operator' }, action: 'integration.schedule', target: { partner: 'jd' } });
  await store.put('secrets', 'signing-keys', { keys: [{ kid: 'k1', d: 'private-part' }] });
  await store.put('secrets', 'pairwise-salt', { salt: 'c2FsdA' });
  await store.put('managers', 'jd-ops', { name: 'JD ops', partners: ['jd'], secretHash: 'scrypt$…' });
  await store.put('oidc', 'Session:s1', { model: 'Session', payload: { uid: 'u1', accountId: 'acct-000001' } }, { expiresAt: now + 14 * DAY });
  await store.put('oidc', 'RefreshToken:r1', { model: 'RefreshToken', payload: { grantId: 'g1', accountId: 'acct-000001' } }, { expiresAt: now + 14 * DAY });
  await store.put('oidc', 'Grant:g1', { model: 'Grant', payload: { accountId: 'acct-000001' } }, { expiresAt: now + 14 * DAY });
  await store.put('oidc', 'Session:gone', { model: 'Session', payload: { uid: 'u2' } }, { expiresAt: now + 1000 });
  await store.put('throttle', 't1', { subject: 'acct-000002', failures: 2 }, { expiresAt: now + 2 * HOUR });
  await store.put('admin_sessions', 'a1', { manager: 'jd-ops' }, { expiresAt: now + 8 * HOUR });
  for (const [n, ways] of [
    [1, { weibo: now - DAY, qq: now - HOUR }],
    [2, { weibo: now - DAY }],
    [3, undefined],
  ] as const) {
    const methods = { weibo: { firstAt: now - DAY, lastAt: now, days: [[Math.floor(now / DAY), n]] } };
    const usage = { partner: 'jd', account: `acct-00000${n}`, methods, lastAt: now, ...(ways ? { ways } : {}) };
    await store.put(SHOP_USAGE_COLLECTION, shopUsageId('jd', usage.account), usage, { expiresAt: now + 400 * DAY });
  }
  clock.advance(2000); // Session:gone has expired
}

/** Every kept document with its expiry, per collection. */
async function contents(store: Store): Promise<Record<string, DumpedDocument[]>> {
  const all: Record<string, DumpedDocument[]> = {};
  for (const name of KEPT) {
    all[name] = [];
    for (let after: string | undefined; ; ) {
      const page = await store.dump(name, { ...(after ? { after } : {}), limit: 1000 });
      all[name].push(...page);
      if (page.length < 1000) break;
      after = page.at(-1)!.id;
    }
  }
  return all;
}

describe('store move (export, import, copy)', function () {
  this.timeout(60_000);
  let root: string;
  let clock: ManualClock;
  let source: string;
  let expected: Record<string, DumpedDocument[]>;
  let tally: UsageTally;
  const byHeld = (classes: UsageClass[]) => [...classes].sort((a, b) => a.held.length - b.held.length);
  /** The impact report's aggregate over the summaries fill() wrote. */
  const tallyQuery = (): UsageTallyQuery => {
    const now = clock.now();
    return {
      partner: 'jd',
      method: 'weibo',
      ways: ['qq'],
      activeFrom: now - 10 * DAY,
      activeTo: now,
      countFromDay: Math.floor(now / DAY) - 30,
      cuts: [now - 14 * DAY, now],
    };
  };

  const at = (name: string) => join(root, name);
  async function read(dir: string): Promise<Record<string, DumpedDocument[]>> {
    const store = await createStore({ dataDir: dir, clock });
    try {
      return await contents(store);
    } finally {
      await store.close();
    }
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'denglu-store-move-'));
    clock = new ManualClock(Date.now() - HOUR); // the command line (system clock) sees the same live documents
    source = at('source');
    const store = await createStore({ dataDir: source, clock });
    await fill(store, clock);
    expected = await contents(store);
    tally = await store.tallyUsage(tallyQuery());
    await store.close();
    assert.equal(tally.classes.length, 2);
    assert.equal(tally.unlisted.length, 1);
    assert.equal(expected.accounts!.length, ACCOUNTS);
    assert.deepEqual(
      expected.oidc!.map((d) => d.id),
      ['Grant:g1', 'RefreshToken:r1', 'Session:s1'],
      'the expired session is not live',
    );
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('exports to a file and imports into an empty directory: every kept document with its expiry, nothing volatile', async () => {
    const file = at('export.ndjson');
    const exported = await exportStore(source, file, { clock });
    assert.equal(exported.written.accounts, ACCOUNTS);
    assert.equal(exported.written.oidc, 3);
    // The embedded store keeps sign-ins in progress in memory only: a closed directory has none to skip.
    const volatile = COLLECTIONS.filter((c) => c.group === 'volatile').map((c) => c.name);
    assert.ok(volatile.length >= 4, volatile.join());
    assert.deepEqual(Object.keys(exported.header.skipped).sort(), volatile.sort());
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.equal(JSON.parse(lines[0]!).format, 'denglu-store-export');
    assert.deepEqual(JSON.parse(lines.at(-1)!), { end: true, documents: exported.written });
    assert.ok(!lines.some((l) => l.includes('"Interaction:i1"') || l.includes('"Session:gone"')), 'no volatile or expired document in the file');

    const imported = await importStore(file, at('copy'), { clock });
    assert.deepEqual(imported.mismatches, []);
    assert.equal(imported.results.find((r) => r.collection === 'accounts')!.target, ACCOUNTS);
    assert.deepEqual(await read(at('copy')), expected);

    const copy = await createStore({ dataDir: at('copy'), clock });
    try {
      assert.equal((await copy.findOne('accounts', 'identity', 'weibo:uid:1000000042'))?.id, 'acct-000042', 'indexes rebuilt');
      assert.equal((await copy.findOne('accounts', 'email', 'u7@example.cn'))?.id, 'acct-000007');
      assert.equal(await copy.count('oidc_volatile'), 0);
      assert.equal(await copy.count('flows'), 0);
    } finally {
      await copy.close();
    }
  });

  it('leaves out sign-ins in progress of a live store, and says how many', async () => {
    const store = await createStore({ dataDir: at('live'), clock });
    try {
      await store.put('oidc_volatile', 'Interaction:i1', { model: 'Interaction', payload: { uid: 'i1' } }, { expiresAt: clock.now() + HOUR });
      await store.put('flows', 'state-1', { provider: 'weibo' }, { expiresAt: clock.now() + HOUR });
      await store.put('oidc', 'Session:s1', { model: 'Session', payload: { uid: 'u1' } }, { expiresAt: clock.now() + HOUR });
      const live = await storeSource(store, COLLECTIONS, () => clock.now());
      assert.equal(live.header.skipped.oidc_volatile!.documents, 1);
      assert.equal(live.header.skipped.flows!.documents, 1);
      const moved: string[] = [];
      for await (const doc of live.documents()) moved.push(`${doc.collection}/${doc.id}`);
      assert.deepEqual(moved, ['oidc/Session:s1']);
      assert.equal(live.written.oidc, 1);
    } finally {
      await store.close();
    }
  });

  it('refuses a target that already holds data and changes nothing', async () => {
    const file = at('refuse.ndjson');
    await exportStore(source, file, { clock });
    const target = at('refuse-target');
    const other = await createStore({ dataDir: target, clock });
    await other.put('secrets', 'pairwise-salt', { salt: 'another' });
    await other.close();
    const before = await read(target);
    await assert.rejects(
      importStore(file, target, { clock }),
      (err: unknown) => err instanceof MoveRefusedError && /already holds data \(secrets 1\)/.test(err.message),
    );
    await assert.rejects(copyStore(source, target, { clock }), MoveRefusedError);
    assert.deepEqual(await read(target), before);
  });

  it('refuses a target that is a URL but not PostgreSQL, or a mistyped one, instead of making a directory of that name', async () => {
    const file = at('mistyped.ndjson');
    await exportStore(source, file, { clock });
    const cwd = process.cwd();
    process.chdir(at('.'));
    try {
      for (const to of ['mysql://u:s3cret@db.example/denglu', 'postgres:/s3cret@db.example/denglu', 'postgresql://u:s3cret@db.example']) {
        await assert.rejects(
          importStore(file, to, { clock }),
          (err: unknown) => err instanceof MoveRefusedError && /PostgreSQL URL/.test(err.message) && !err.message.includes('s3cret'),
          to,
        );
      }
      assert.deepEqual(
        (await readdir('.')).filter((name) => /^(mysql|postgres(ql)?):$/.test(name)),
        [],
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a damaged or foreign file before writing anything', async () => {
    const file = at('whole.ndjson');
    await exportStore(source, file, { clock });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const cases: [string, string, RegExp][] = [
      ['cut.ndjson', lines.slice(0, -1).join('\n'), /cut short/],
      ['bad-line.ndjson', [...lines.slice(0, 5), '{"collection":"accounts"', ...lines.slice(5)].join('\n'), /line 6 is not JSON/],
      ['miscounted.ndjson', [...lines.slice(0, 5), ...lines.slice(6)].join('\n'), /the file holds/],
      ['newer.ndjson', [lines[0]!.replace('"version":1', '"version":2'), ...lines.slice(1)].join('\n'), /version 2 is not one this Denglu reads/],
      ['foreign.ndjson', '{"hello":"world"}\n', /not a Denglu export/],
      ['empty.ndjson', '', /empty/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(at(name), text);
      const target = at(`target-${name}`);
      await assert.rejects(importStore(at(name), target, { clock }), (err: unknown) => err instanceof MoveFileError && message.test(err.message), name);
      assert.deepEqual(Object.values(await read(target)).flat(), [], `${name}: nothing imported`);
    }
    await assert.rejects(importStore(at('no-such-file.ndjson'), at('t'), { clock }), /no file/);
  });

  it('writes the export readable by its owner only: it holds the signing keys, the salt and personal data', async () => {
    const previous = process.umask(0o022);
    try {
      const file = at('private.ndjson.gz');
      await exportStore(source, file, { clock });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('the check of a file reports every line it read, a small file too (its progress line showed 0)', async () => {
    const file = at('small.ndjson');
    await exportStore(source, file, { clock });
    const lines = (await readFile(file, 'utf8')).trim().split('\n').length;
    let checked = 0;
    await readExportFile(file, COLLECTIONS, (n) => {
      checked = n;
    });
    assert.equal(checked, lines);
  });

  it('never overwrites an export file', async () => {
    const file = at('exists.ndjson');
    await writeFile(file, 'keep me');
    await assert.rejects(exportStore(source, file, { clock }), /already exists/);
    assert.equal(await readFile(file, 'utf8'), 'keep me');
  });

  it('refuses a data directory a running gateway holds, saying to stop it', async () => {
    const running = await createStore({ dataDir: source, clock });
    try {
      await assert.rejects(
        exportStore(source, at('locked.ndjson'), { clock }),
        (err: unknown) => err instanceof MoveRefusedError && /stop the gateway/.test(err.message),
      );
      await mkdir(at('empty'), { recursive: true });
      await assert.rejects(copyStore(at('empty'), source, { clock }), /stop the gateway/);
    } finally {
      await running.close();
    }
    await assert.rejects(exportStore(at('no-such-dir'), at('x.ndjson'), { clock }), /no data directory at/);
  });

  it('skips documents that expired between export and import, and the counts still match', async () => {
    const file = at('later.ndjson');
    await exportStore(source, file, { clock });
    const later = new ManualClock(clock.now() + 3 * HOUR); // the throttle counter (2 hours) has expired by now
    const imported = await importStore(file, at('later'), { clock: later });
    assert.deepEqual(imported.mismatches, []);
    const throttle = imported.results.find((r) => r.collection === 'throttle')!;
    assert.deepEqual([throttle.source, throttle.expired, throttle.target], [1, 1, 0]);
  });

  it('copies store to store directly, gzip files too', async () => {
    const copied = await copyStore(source, at('direct'), { clock });
    assert.deepEqual(copied.mismatches, []);
    assert.deepEqual(await read(at('direct')), expected);
    await exportStore(source, at('packed.ndjson.gz'), { clock });
    assert.equal((await readFile(at('packed.ndjson.gz')))[0], 0x1f, 'gzip magic');
    await importStore(at('packed.ndjson.gz'), at('unpacked'), { clock });
    assert.deepEqual(await read(at('unpacked')), expected);
  });

  describe('through PostgreSQL', () => {
    let db: TestDatabase | undefined;
    before(async function () {
      if (!(await postgresAvailable())) return this.skip();
      db = await freshDatabase('store-move');
    });
    after(async () => {
      await db?.drop();
    });

    it('embedded → file → postgres → file → embedded keeps every document and expiry', async () => {
      await exportStore(source, at('to-pg.ndjson'), { clock });
      const there = await importStore(at('to-pg.ndjson'), db!.url, { clock });
      assert.deepEqual(there.mismatches, []);
      const pg = await createStore({ dataDir: '', databaseUrl: db!.url, clock });
      try {
        assert.equal(pg.info.backend, 'postgres');
        assert.deepEqual(await contents(pg), expected);
        assert.equal((await pg.findOne('accounts', 'identity', 'weibo:uid:1000000042'))?.id, 'acct-000042', 'index keys written');
        const there = await pg.tallyUsage(tallyQuery());
        assert.deepEqual(
          { ...there, classes: byHeld(there.classes) },
          { ...tally, classes: byHeld(tally.classes) },
          'the shop-usage side table filled on import',
        );
      } finally {
        await pg.close();
      }
      const back = await exportStore(db!.url, at('from-pg.ndjson'), { clock });
      assert.equal(back.header.source.backend, 'postgres');
      assert.deepEqual((await importStore(at('from-pg.ndjson'), at('back'), { clock })).mismatches, []);
      assert.deepEqual(await read(at('back')), expected);
    });

    it('refuses a database that already holds data and changes nothing', async () => {
      await assert.rejects(importStore(at('to-pg.ndjson'), db!.url, { clock }), /already holds data \(partners 2, accounts 2,345/);
      await assert.rejects(copyStore(source, db!.url, { clock }), MoveRefusedError);
      const pg = await createStore({ dataDir: '', databaseUrl: db!.url, clock });
      try {
        assert.deepEqual(await contents(pg), expected);
      } finally {
        await pg.close();
      }
    });
  });

  describe('npm run denglu -- store', () => {
    async function cli(...argv: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { DATA_DIR: source }, { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    it('exports the configured DATA_DIR, imports it, and prints the counts compared', async () => {
      const file = at('cli.ndjson');
      const exported = await cli('store', 'export', '--out', file);
      assert.equal(exported.code, 0, exported.err);
      assert.match(exported.out, new RegExp(`Exported ${(ACCOUNTS + 14).toLocaleString('en')} documents from the embedded store`));
      assert.match(exported.out, /accounts\s+domain\s+2,345/);
      const volatile = COLLECTIONS.filter((c) => c.group === 'volatile').map((c) => `${c.name} 0`);
      assert.ok(exported.out.includes(`Not moved (sign-ins in progress, they restart): ${volatile.join(', ')}.`), exported.out);

      const imported = await cli('store', 'import', file, '--to', at('cli-target'));
      assert.equal(imported.code, 0, imported.err);
      assert.match(imported.out, /accounts\s+2,345\s+0\s+2,345\s+ok/);
      assert.match(imported.out, /Counts match/);

      const again = await cli('store', 'import', file, '--to', at('cli-target'));
      assert.equal(again.code, 1);
      assert.match(again.err, /denglu store: the target .* already holds data \(partners 2, accounts 2,345/);

      const copied = await cli('store', 'copy', '--to', at('cli-copy'), '--json');
      assert.equal(copied.code, 0, copied.err);
      assert.deepEqual(JSON.parse(copied.out).mismatches, []);
    });

    it('explains its usage', async () => {
      const help = await cli('store', '--help');
      assert.equal(help.code, 0);
      assert.match(help.out, /store import <file>/);
      assert.doesNotMatch(help.out, /--token/);
      assert.equal((await cli('store', 'import')).code, 2);
      assert.equal((await cli('store', 'move')).code, 2);
      assert.equal((await cli('store', 'export', '--url', 'http://x')).code, 2);
      assert.equal((await cli('store', 'export', 'a', 'b')).code, 2);
      const main = await cli('--help');
      assert.match(main.out, /Commands on this machine[\s\S]*store/);
    });
  });
});
