// `denglu db migrate` and `denglu db status` as an operator runs them: a real process on $DATABASE_URL,
// output for people, the exit codes of the command line, and never the database password.

import assert from 'node:assert/strict';
import { KNOWN_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { denglu } from '../admin/cli-process.ts';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.ts';

describe('denglu db: the PostgreSQL schema from the command line', function () {
  this.timeout(60_000);
  let db: TestDatabase;

  before(async function () {
    if (!(await postgresAvailable())) this.skip();
    db = await freshDatabase('cli');
  });
  after(async () => {
    await db?.drop();
  });

  it('shows pending migrations, runs them once, then shows them applied; the password is never printed', async () => {
    const url = new URL(db.url);
    url.password = 'pw-never-printed'; // the test server trusts local connections
    const env = { DATABASE_URL: url.href };
    const last = KNOWN_MIGRATIONS.at(-1)!;
    const before = await denglu(['db', 'status'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, new RegExp(`pending: .*${last}`));
    const first = await denglu(['db', 'migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Migrated ${db.url.replaceAll('.', '\\.')}: .*${last}\\.`));
    const again = await denglu(['db', 'migrate'], env);
    assert.match(again.stdout, new RegExp(`is up to date \\(${last}\\)`));
    const after = await denglu(['db', 'status'], env);
    assert.match(after.stdout, new RegExp(`applied: .*${last}`));
    assert.match(after.stdout, /pending: none/);
    for (const run of [before, first, again, after]) assert.doesNotMatch(run.stdout + run.stderr, /pw-never-printed/);
  });

  it('says what is missing or wrong with the exit codes of the command line', async () => {
    const help = await denglu(['db', '--help'], { DATABASE_URL: '' });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: denglu db migrate \| denglu db status/);
    const noUrl = await denglu(['db', 'migrate'], { DATABASE_URL: '' });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /set DATABASE_URL/);
    const wrong = await denglu(['db', 'drop'], { DATABASE_URL: db.url });
    assert.equal(wrong.code, 2);
    const notUrl = await denglu(['db', 'status'], { DATABASE_URL: 'notaurl' });
    assert.equal(notUrl.code, 2, notUrl.stderr);
    assert.match(notUrl.stderr, /DATABASE_URL must be a PostgreSQL URL/);
    const down = await denglu(['db', 'status'], { DATABASE_URL: 'postgres://denglu:s3cret@127.0.0.1:1/denglu' });
    assert.equal(down.code, 3);
    assert.match(down.stderr, /127\.0\.0\.1:1/);
    assert.match(down.stderr, /the database refused the connection/, 'db status names the failure as db migrate and the gateway do');
    assert.doesNotMatch(down.stderr, /s3cret/);
    const main = await denglu(['--help']);
    assert.match(main.stdout, /^ {2}db +migrate or show the PostgreSQL schema/m);
  });
});
