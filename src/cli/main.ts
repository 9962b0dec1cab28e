// Entry point of the `denglu` command line (`npm run denglu -- <command>`, or the `denglu` bin):
// runs one command against a running gateway (or, `store`, on this machine's store) and exits with its
// code. Run with --help for commands.

import { existsSync } from 'node:fs';
import { runCli } from './run.ts';

// DENGLU_URL, DENGLU_TOKEN, DATA_DIR and DATABASE_URL may come from a .env in the working directory (see .env.example).
if (existsSync('.env')) process.loadEnvFile('.env');

runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  ...(process.stderr.isTTY ? { progress: (line: string) => process.stderr.write(`\r\x1b[2K${line}`) } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`denglu: unexpected failure: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
