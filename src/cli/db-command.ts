// `denglu db migrate` and `denglu db status`: the PostgreSQL schema of DATABASE_URL, run on this machine
// (not through the admin API). The gateway migrates at start too; `db migrate` lets an operator do it
// ahead of a rollout. Exit codes as the rest of the command line: 0 done, 2 usage, 3 database unreachable.

import { databaseUrlProblem } from '../../config/load-config.ts';
import { redactUrl, unavailable } from '../store/postgres/database.ts';
import { KNOWN_MIGRATIONS, migrate, schemaState } from '../store/postgres/migrations.ts';
import pg from 'pg';
import { EXIT } from './admin-client.ts';
import type { Io } from './run.ts';

const HELP = [
  'Usage: denglu db migrate | denglu db status',
  '',
  'The PostgreSQL schema of $DATABASE_URL (read from the environment or .env).',
  '  migrate  run the migrations this Denglu knows that the database lacks (under an advisory lock: safe while instances run)',
  '  status   list applied and pending migrations',
].join('\n');

export async function runDbCommand(args: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const rest = args.filter((a) => a !== 'db');
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP);
    return EXIT.ok;
  }
  const [action, extra] = rest;
  if ((action !== 'migrate' && action !== 'status') || extra !== undefined) {
    io.err(`denglu db: ${action === undefined ? 'missing migrate or status' : `unexpected ${JSON.stringify(extra ?? action)}`}\n\n${HELP}`);
    return EXIT.usage;
  }
  const url = env.DATABASE_URL;
  if (!url) {
    io.err('denglu db: set DATABASE_URL to the PostgreSQL URL of the store, e.g. postgres://denglu:PASSWORD@db.example:5432/denglu');
    return EXIT.usage;
  }
  const problem = databaseUrlProblem(url);
  if (problem) {
    io.err(`denglu db: ${problem}`);
    return EXIT.usage;
  }
  const location = redactUrl(url);
  try {
    if (action === 'migrate') {
      const ran = await migrate(url, location, io.out);
      io.out(ran.length ? `Migrated ${location}: ${ran.join(', ')}.` : `${location} is up to date (${KNOWN_MIGRATIONS.at(-1)}).`);
      return EXIT.ok;
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      const state = await schemaState(client);
      io.out(`${location}`);
      io.out(`  applied: ${state.applied.join(', ') || 'none'}`);
      io.out(`  pending: ${state.pending.join(', ') || 'none'}`);
      if (state.unknown.length) io.out(`  unknown to this Denglu (a newer one migrated it): ${state.unknown.join(', ')}`);
    } finally {
      await client.end().catch(() => {});
    }
    return EXIT.ok;
  } catch (err) {
    io.err(`denglu db ${action}: ${unavailable(err, location).message}`);
    return EXIT.unreachable;
  }
}
