// Entry point of the `denglu` command line (`npm run denglu -- <command>`, or the `denglu` bin):
// runs one command against a running gateway and exits with its code. Run with --help for commands.

import { existsSync } from 'node:fs';
import { runCli } from './run.ts';

// DENGLU_URL and DENGLU_TOKEN may come from a .env in the working directory (see .env.example).
if (existsSync('.env')) process.loadEnvFile('.env');

runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`denglu: unexpected failure: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
