// Parses a `denglu` command line, runs the command against the gateway's admin API and returns the
// exit code: 0 done, 1 refused by the gateway, 2 usage error, 3 gateway unreachable, 4 token missing,
// wrong or not allowed. Only the local `store` commands open a store (an embedded data directory is
// refused while a gateway holds its lock).

import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../config/defaults.ts';
import { AdminClient, CliError, EXIT } from './admin-client.ts';
import { COMMANDS, type Command } from './commands.ts';
import { runDbCommand } from './db-command.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Redraws one progress line on a terminal (stderr); absent when stderr is not a terminal. */
  progress?: (line: string) => void;
}

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = [
  '  --url <url>      gateway to talk to (default: $DENGLU_URL or http://localhost:3000)',
  '  --token <token>  admin token (default: $DENGLU_TOKEN): the operator token, or a partner manager token <managerId>.<secret>',
  '  --json           print the admin API JSON as is',
  '  -h, --help       help for a command',
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "denglu: manage partners' sign-in providers on a running Denglu gateway (admin API), and move Denglu's data between stores.",
    '',
    'Usage: denglu <command> [arguments] [options]',
    '',
    'Commands:',
    ...COMMANDS.filter((c) => !c.local).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Commands on this machine (no gateway needed):',
    ...COMMANDS.filter((c) => c.local).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'db'.padEnd(width)}  migrate or show the PostgreSQL schema of $DATABASE_URL`,
    '',
    'Options for every gateway command:',
    ...GLOBAL_HELP,
    '',
    "Run `denglu <command> --help` for a command's arguments and options.",
    'Exit codes: 0 done, 1 refused by the gateway, 2 usage error, 3 gateway unreachable, 4 token missing, wrong or not allowed.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `Usage: ${c.usage}`,
    '',
    `${c.summary.replace(/^./, (ch) => ch.toUpperCase())}.`,
    ...(c.help.length ? ['', ...c.help] : []),
    '',
    'Options for every command:',
    ...(c.local ? ['  --json           print the result as JSON', '  -h, --help       help for a command'] : GLOBAL_HELP),
  ].join('\n');
}

/** The first argument that is neither an option nor the value of --url / --token. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--url' || a === '--token') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function runCli(argv: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  let name = commandName(argv);
  let args = [...argv];
  if (name === 'help') {
    args = args.filter((a) => a !== 'help');
    name = commandName(args);
    args.push('--help');
  }
  if (name === 'db') return runDbCommand(args, env, io);
  if (name === undefined) {
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    (wantsHelp ? io.out : io.err)(mainHelp());
    return wantsHelp ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`denglu: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`denglu ${command.name}: ${(err as Error).message}\nRun \`denglu ${command.name} --help\` for its options.`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  const positionals = parsed.positionals.slice(1);
  const most = command.args.length + (command.optionalArgs?.length ?? 0);
  if (positionals.length < command.args.length || positionals.length > most) {
    const what = positionals.length < command.args.length ? `missing <${command.args[positionals.length]}>` : `unexpected argument "${positionals[most]}"`;
    io.err(`denglu ${command.name}: ${what}\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  if (command.local && (values.url !== undefined || values.token !== undefined)) {
    io.err(`denglu ${command.name}: --url and --token are for gateway commands; ${command.name} runs on this machine's store`);
    return EXIT.usage;
  }
  const url = (values.url as string | undefined) ?? env.DENGLU_URL ?? DEFAULTS.cliUrl;
  try {
    new URL(url);
  } catch {
    if (!command.local) {
      io.err(`denglu: --url / DENGLU_URL must be the gateway's URL, e.g. http://localhost:3000 (got ${JSON.stringify(url)})`);
      return EXIT.usage;
    }
  }
  const api = new AdminClient(command.local ? DEFAULTS.cliUrl : url, (values.token as string | undefined) ?? (env.DENGLU_TOKEN || undefined));
  try {
    await command.run({ api, json: values.json === true, values, args: positionals, print: io.out, note: io.err, progress: io.progress, env });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      io.err([`denglu ${command.name}: ${err.message}`, ...err.details.map((d) => `  ${d}`)].join('\n'));
      return err.exitCode;
    }
    throw err;
  }
}
