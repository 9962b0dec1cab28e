// The benchmark's PostgreSQL helpers: reading server processes' CPU from /proc, counting the gateway's
// statements, the load client's round robin over instances, the mirrored order of interleaved windows,
// the PostgreSQL summary and its report section.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { benchDatabaseName, redactUrl } from '../../bench/bench-database.ts';
import { roundRobin } from '../../bench/load-client.ts';
import { mirroredOrder, type Measured } from '../../bench/measure.ts';
import { commandOfStat, cpuMsBetween, cpuMsOfStat, readCpuMs } from '../../bench/postgres-cpu.ts';
import { postgresSummary, statementsPerLogin } from '../../bench/postgres-section.ts';
import { countQueries, queryDelta, statementKey } from '../../bench/query-counter.ts';
import { renderPostgres, statementCell } from '../../bench/report-postgres.ts';
import { bar } from '../../bench/store-scaling.ts';
import { median } from '../../bench/stats.ts';
import { freshDatabase, postgresAvailable } from '../support/postgres.ts';

// A postgres backend's line: pid (comm) state ppid … utime (14) stime (15) cutime cstime …
const STAT = '2230 (postgres) S 2222 2230 2230 0 -1 4194560 2170 0 0 0 57 31 0 0 20 0 1 0 3128 226340864 4262 18446744073709551615';

describe('bench: PostgreSQL CPU from /proc', () => {
  it('reads utime + stime (fields 14 and 15, clock ticks of 10 ms) as ms', () => {
    assert.equal(cpuMsOfStat(STAT), (57 + 31) * 10);
  });

  it('reads past a command name with spaces and parentheses', () => {
    const odd = STAT.replace('(postgres)', '(post (gres) x)');
    assert.equal(cpuMsOfStat(odd), 880);
    assert.equal(commandOfStat(odd), 'post (gres) x');
    assert.equal(commandOfStat(STAT), 'postgres');
  });

  it('refuses a line that is not a stat line', () => {
    assert.throws(() => cpuMsOfStat('nonsense'), /not a \/proc\/<pid>\/stat line/);
  });

  it('sums what each process spent between two readings; a new one counts whole, a gone one not at all', () => {
    const before = new Map([
      [1, 100],
      [2, 50],
      [3, 70],
    ]);
    const after = new Map([
      [1, 130],
      [2, 50],
      [4, 20],
    ]);
    assert.equal(cpuMsBetween(before, after), 30 + 0 + 20);
  });

  it('reads only processes running the named command', function () {
    if (process.platform !== 'linux') return this.skip();
    const command = readFileSync('/proc/self/comm', 'utf8').trim();
    const mine = readCpuMs([process.pid], command);
    const other = readCpuMs([process.pid], 'postgres');
    assert.equal(other.size, 0, 'this process is not a postgres one');
    assert.ok((mine.get(process.pid) ?? -1) > 0, `${command}: ${[...mine]}`);
    assert.equal(readCpuMs([2 ** 30], command).size, 0, 'a pid that does not exist is left out');
  });
});

describe('bench: statement counts', () => {
  it('keys a statement by its text with whitespace folded, a query object by its kind', () => {
    assert.equal(statementKey('SELECT  doc\n   FROM docs WHERE id = $1'), 'SELECT doc FROM docs WHERE id = $1');
    assert.equal(statementKey({ text: 'BEGIN', values: [] }), 'BEGIN');
    assert.equal(
      statementKey('SELECT doc FROM documents WHERE collection = $1', ['accounts', 'x']),
      '[accounts] SELECT doc FROM documents WHERE collection = $1',
    );
    assert.equal(statementKey({ text: 'SELECT $1', values: ['oidc'] }), '[oidc] SELECT $1');
    assert.equal(statementKey('SELECT $1', ['{"a":1}']), 'SELECT $1', 'a parameter that is not a name is left out');
    assert.equal(
      statementKey("BEGIN; SELECT doc FROM documents WHERE collection = 'oidc' AND id = 'a''b' AND expires_at > 1733400000123 FOR UPDATE"),
      "[oidc] BEGIN; SELECT doc FROM documents WHERE collection = '…' AND id = '…' AND expires_at > N FOR UPDATE",
      'values written into the text are folded, the collection kept',
    );
    class CopyStreamQuery {}
    assert.equal(statementKey(new CopyStreamQuery()), '(CopyStreamQuery)');
  });

  it('keys a statement seen before as the first time, by its own first parameter', () => {
    const text = 'SELECT doc FROM documents WHERE collection = $1 AND id = $2';
    for (let round = 0; round < 3; round++) {
      assert.equal(statementKey({ text, values: ['accounts', 'a'] }), `[accounts] ${text}`);
      assert.equal(statementKey({ text, values: ['oidc', 'b'] }), `[oidc] ${text}`);
      assert.equal(statementKey({ text, values: ['not a name!', 'c'] }), text);
      assert.equal(statementKey({ text, values: [] }), text);
    }
  });

  it('takes the difference of two readings, leaving out statements that did not run meanwhile', () => {
    const before = { a: { calls: 2, ms: 4 }, b: { calls: 1, ms: 1 } };
    const after = { a: { calls: 5, ms: 10 }, b: { calls: 1, ms: 1 }, c: { calls: 1, ms: 0.5 } };
    assert.deepEqual(queryDelta(before, after), { a: { calls: 3, ms: 6 }, c: { calls: 1, ms: 0.5 } });
  });

  it('counts the queries node-postgres sends, promise and callback style, and stops counting', async function () {
    if (!(await postgresAvailable())) return this.skip();
    const db = await freshDatabase('bench query counter');
    const client = new pg.Client({ connectionString: db.url });
    const counter = countQueries();
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.query({ text: 'SELECT  $1::int', values: [2] });
      await new Promise<void>((resolve, reject) => client.query('SELECT 1', (err: Error | null) => (err ? reject(err) : resolve())));
      counter.stop();
      await client.query('SELECT 1');
      assert.equal(counter.counts['SELECT N']?.calls, 2, JSON.stringify(counter.counts));
      assert.equal(counter.counts['SELECT $1::int']?.calls, 1);
      assert.ok(counter.counts['SELECT N']!.ms > 0, 'the time to the answer is measured');
    } finally {
      counter.stop();
      await client.end();
      await db.drop();
    }
  });
});

describe('bench: several instances and interleaving', () => {
  it('sends requests to the issuer to each instance in turn, other hosts untouched', () => {
    const route = roundRobin('http://127.0.0.1:4000', ['http://127.0.0.1:4000', 'http://127.0.0.1:4001']);
    const auth = new URL('http://127.0.0.1:4000/auth?x=1');
    assert.equal(route(auth)?.href, 'http://127.0.0.1:4000/auth?x=1');
    assert.equal(route(new URL('http://127.0.0.1:4000/cb/weibo?code=c'))?.href, 'http://127.0.0.1:4001/cb/weibo?code=c');
    assert.equal(route(new URL('http://127.0.0.1:5000/oauth2/authorize')), undefined, 'the emulator is not the issuer');
    assert.equal(route(new URL('http://127.0.0.1:4000/token'))?.port, '4000');
  });

  it('orders a round A B C C B A, the reverse in even rounds; two contenders give ABBA', () => {
    assert.deepEqual(mirroredOrder(['a', 'b', 'c'], 1), ['a', 'b', 'c', 'c', 'b', 'a']);
    assert.deepEqual(mirroredOrder(['a', 'b', 'c'], 2), ['c', 'b', 'a', 'a', 'b', 'c']);
    assert.deepEqual(mirroredOrder(['a', 'b'], 3), ['a', 'b', 'b', 'a']);
  });
});

const row = (target: string, concurrency: number, round: number, loginsPerSecond: number, extra: Partial<Measured> = {}): Measured => ({
  target,
  concurrency,
  round,
  logins: loginsPerSecond * 8,
  loginsPerSecond,
  p50: 10,
  p99: 40,
  errors: 0,
  ...extra,
});

describe('bench: PostgreSQL summary and report', () => {
  const measured = [
    row('denglu', 8, 1, 400),
    row('denglu-pg', 8, 1, 360, { cpuMsPerLogin: 2.5, databaseCpuMsPerLogin: 1.2, queriesPerLogin: 20, queries: { BEGIN: { calls: 2880, ms: 288 } } }),
    row('denglu', 8, 2, 500),
    row('denglu-pg', 8, 2, 400, { cpuMsPerLogin: 2.7, databaseCpuMsPerLogin: 1.4, queriesPerLogin: 22, queries: { BEGIN: { calls: 3200, ms: 640 } } }),
    row('baseline', 8, 1, 999),
  ];

  it('gives the ratio to the embedded store per round (same round only) and medians', () => {
    const [s] = postgresSummary(measured, 'denglu-pg', 'denglu', [8]);
    assert.deepEqual(s!.ratioPerRound, [0.9, 0.8]);
    assert.ok(Math.abs(s!.ratioMedian - 0.85) < 1e-9);
    assert.equal(s!.loginsPerSecond, 380);
    assert.ok(Math.abs(s!.databaseCpuMsPerLogin - 1.3) < 1e-9);
    assert.equal(s!.queriesPerLogin, 21);
  });

  it('lists the statements per login over the rounds, most frequent first', () => {
    const statements = statementsPerLogin(measured.filter((m) => m.target === 'denglu-pg'));
    assert.deepEqual(statements, [{ statement: 'BEGIN', perLogin: (2880 + 3200) / (360 * 8 + 400 * 8), msPerCall: 928 / 6080 }]);
  });

  it('renders the section: ratios, CPU, queries, scaling, instances, memory, statements', () => {
    const p = {
      database: 'postgres://postgres@127.0.0.1:5432/postgres',
      summary: postgresSummary(measured, 'denglu-pg', 'denglu', [8]),
      statements: [{ statement: 'SELECT a | b FROM `x`', perLogin: 2, msPerCall: 0.3 }],
      scaling: [
        {
          accounts: 1000,
          loginsPerSecond: 300,
          relative: 1,
          relativePerRound: [1],
          p99: 30,
          cpuMsPerLogin: 2,
          databaseCpuMsPerLogin: 1,
          queriesPerLogin: 20,
          errors: 0,
        },
        {
          accounts: 1000000,
          loginsPerSecond: 290,
          relative: 0.97,
          relativePerRound: [0.97],
          p99: 31,
          cpuMsPerLogin: 2,
          databaseCpuMsPerLogin: 1.1,
          queriesPerLogin: 20,
          errors: 0,
        },
      ],
      instances: {
        instances: 2,
        concurrency: 32,
        one: { loginsPerSecond: 300, p99: 90, cpuMsPerLogin: 2.5, databaseCpuMsPerLogin: 1.2 },
        several: { loginsPerSecond: 290, p99: 95, cpuMsPerLogin: 2.6, databaseCpuMsPerLogin: 1.2 },
        ratioPerRound: [0.97],
        ratioMedian: 0.97,
        errors: 0,
      },
      memory: {
        logins: 100000,
        rssMb: 180.4,
        maxRssMb: 200,
        liveHeapMb: 60,
        heapTotalMb: 90,
        externalMb: 12.5,
        startRssMb: 170.2,
        startLogins: 20000,
        errors: 0,
      },
    };
    const embedded = [{ concurrency: 8, denglu: { loginsPerSecond: 450, p50: 15, p99: 30, cpuMsPerLogin: 2.3 } }];
    const md = renderPostgres(p, embedded, { scaleConcurrency: 8, concurrency: [1, 8] }).join('\n');
    assert.match(
      md,
      /\| 8 \| 450\.0 \| 380\.0 \| \*\*0\.85\*\* \(0\.90, 0\.80\) \| 15\.0 \/ 30\.0 \| 10\.0 \/ 40\.0 \| 2\.30 \/ 2\.60 \| 1\.30 \| 21\.0 \| — \| 0 \|/,
    );
    assert.match(md, /\| 1,000,000 \| 290\.0 \| \*\*0\.97\*\* \(0\.97\) \|/);
    assert.match(md, /2 ÷ 1: \*\*0\.97\*\*/);
    assert.match(md, /after 100,000 logins .*RSS \*\*180\.4 MiB\*\*/);
    assert.match(
      md,
      /V8 heap reserved 90\.0 MiB, outside V8's heap 12\.5 MiB; RSS was 170\.2 MiB after 20,000 logins, so it grew 10\.2 MiB over the last 80,000/,
    );
    assert.match(md, /\| `SELECT a \\\| b FROM 'x'` \| 2\.00 \| 0\.30 \|/);
    assert.deepEqual(renderPostgres(undefined, [], {}), []);
  });

  it('puts an error page on one short line', async () => {
    const { oneLine } = await import('../../bench/report-postgres.ts');
    assert.equal(oneLine('a: /auth answered 429:\n<!DOCTYPE html>\n<html>'), 'a: /auth answered 429: <!DOCTYPE html> <html>');
    assert.equal(oneLine('x'.repeat(300)).length, 200);
  });

  it('cuts long statements in the middle for a table cell, the collection first', () => {
    assert.equal(statementCell(`a${'x'.repeat(20)}b`, 9), '`axx … xxb`');
    assert.equal(statementCell('[accounts] SELECT 1'), 'accounts: `SELECT 1`');
  });
});

describe('bench: small helpers', () => {
  it('names bench databases denglu_bench_<label>_<pid>, never anything a caller chose freely', () => {
    assert.equal(benchDatabaseName('Scale 1000000', 42), 'denglu_bench_scale_1000000_42');
    assert.equal(benchDatabaseName('x; DROP DATABASE test', 1), 'denglu_bench_x_drop_database_test_1');
  });

  it('redacts the password of a database URL', () => {
    assert.ok(!redactUrl('postgres://u:secret@db:5432/x').includes('secret'));
    assert.equal(redactUrl('postgres://postgres@127.0.0.1:5432/postgres'), 'postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('draws a progress bar and takes medians', () => {
    assert.equal(bar(0.5), `[${'#'.repeat(15)}${'.'.repeat(15)}]  50%`);
    assert.equal(bar(1), `[${'#'.repeat(30)}] 100%`);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('bench: server options of an experiment', () => {
  it("adds libpq's options to the URL, or leaves it alone", async () => {
    const { withServerOptions } = await import('../../bench/bench-database.ts');
    assert.equal(withServerOptions('postgres://postgres@127.0.0.1:5432/x', ''), 'postgres://postgres@127.0.0.1:5432/x');
    const url = new URL(withServerOptions('postgres://postgres@127.0.0.1:5432/x', '-c synchronous_commit=off'));
    assert.equal(url.searchParams.get('options'), '-c synchronous_commit=off');
  });
});

describe('bench: the prepared-statement experiment', () => {
  it('names each parameterised statement once, by its text; leaves the rest alone', async () => {
    const { preparedArgs } = await import('../../bench/query-counter.ts');
    const cb = () => {};
    const [a] = preparedArgs([{ text: 'SELECT $1::int AS prepared_probe', values: [1] }, undefined, cb]) as [{ name: string; values: unknown[] }];
    const [b, , c] = preparedArgs(['SELECT $1::int AS prepared_probe', [2], cb]) as [{ name: string; values: unknown[] }, unknown, unknown];
    assert.match(a.name, /^bench_\d+$/);
    assert.equal(b.name, a.name, 'the same text gets the same name');
    assert.deepEqual(b.values, [2]);
    assert.equal(c, cb, 'the callback stays last');
    const plain = ['BEGIN', undefined, cb];
    assert.equal(preparedArgs(plain), plain, 'no parameters: unchanged');
    const named = [{ text: 'SELECT $1', values: [1], name: 'mine' }];
    assert.equal(preparedArgs(named), named, 'already named: unchanged');
  });
});
