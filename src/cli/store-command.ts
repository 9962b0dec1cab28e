// `denglu store export | import | copy`: moves everything Denglu keeps between an embedded data
// directory and PostgreSQL (either way) through a portable file, or directly. Runs on this machine,
// not through a gateway; prints a summary table and exits 1 when refused or when counts differ.

import { stat } from 'node:fs/promises';
import { DEFAULTS } from '../../config/defaults.ts';
import { systemClock } from '../clock.ts';
import { MoveFileError, type MoveHeader } from '../store/move/move-format.ts';
import type { CollectionResult } from '../store/move/load-target.ts';
import { MoveRefusedError } from '../store/move/load-target.ts';
import { copyStore, exportStore, type ImportReport, importStore } from '../store/move/move-store.ts';
import { redactLocation } from '../store/move/open-location.ts';
import { CliError, EXIT } from './admin-client.ts';
import type { Command, CommandContext } from './commands.ts';
import { progressLine } from './progress-line.ts';
import { table } from './format.ts';

const n = (v: number) => v.toLocaleString('en');
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The store this machine's gateway is configured with: DATABASE_URL when set, else DATA_DIR. */
function configuredStore(env: Record<string, string | undefined>): string {
  return str(env.DATABASE_URL) ?? str(env.DATA_DIR) ?? DEFAULTS.dataDir;
}

function defaultExportFile(now: number): string {
  return `denglu-export-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.ndjson`;
}

function skippedLine(header: MoveHeader): string {
  const skipped = Object.entries(header.skipped);
  if (!skipped.length) return '';
  return `Not moved (sign-ins in progress, they restart): ${skipped.map(([name, s]) => `${name} ${n(s.documents)}`).join(', ')}.`;
}

function resultsTable(results: CollectionResult[]): string {
  return table(
    ['COLLECTION', 'SOURCE', 'EXPIRED SINCE', 'TARGET', 'CHECK'],
    results.map((r) => [
      r.collection,
      n(r.source),
      n(r.expired),
      n(r.target),
      r.target === r.expected && r.source === r.expected + r.expired ? 'ok' : `MISMATCH (expected ${n(r.expected)})`,
    ]),
  );
}

function printImport(ctx: CommandContext, verb: string, from: string, to: string, report: ImportReport, seconds: number): void {
  if (ctx.json) {
    ctx.print(
      JSON.stringify(
        {
          source: report.header.source,
          exportedAt: report.header.exportedAt,
          collections: report.results,
          mismatches: report.mismatches.map((m) => m.collection),
        },
        null,
        2,
      ),
    );
  } else {
    const loaded = report.results.reduce((sum, r) => sum + r.expected, 0);
    ctx.print(`${verb} ${n(loaded)} documents from ${from} into ${to} in ${seconds.toFixed(1)} s.\n`);
    ctx.print(resultsTable(report.results));
    const skipped = skippedLine(report.header);
    if (skipped) ctx.print(`\n${skipped}`);
  }
  if (report.mismatches.length) {
    throw new CliError(
      EXIT.refused,
      `counts differ in ${report.mismatches.map((m) => m.collection).join(', ')}: the target does not hold every document of the source`,
    );
  }
  if (!ctx.json) ctx.print('\nCounts match: the target holds every document of the source.');
}

async function runStore(ctx: CommandContext): Promise<void> {
  const [action, file] = ctx.args;
  const from = str(ctx.values.from);
  const to = str(ctx.values.to);
  const out = str(ctx.values.out);
  const progress = progressLine(ctx.progress, ctx.note);
  const options = { clock: systemClock, progress };
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (action === 'export') {
    if (to !== undefined || file !== undefined) throw new CliError(EXIT.usage, 'export writes a file: give it with --out <file> (and the store with --from)');
    const source = from ?? configuredStore(ctx.env);
    const target = out ?? defaultExportFile(systemClock.now());
    const report = await exportStore(source, target, options);
    if (ctx.json) return ctx.print(JSON.stringify({ file: target, ...report }, null, 2));
    const documents = Object.values(report.written).reduce((a, b) => a + b, 0);
    const bytes = (await stat(target)).size;
    ctx.print(
      `Exported ${n(documents)} documents from the ${report.header.source.backend} store ${report.header.source.location} to ${target} (${(bytes / 1048576).toFixed(1)} MiB) in ${seconds().toFixed(1)} s.\n`,
    );
    ctx.print(
      table(
        ['COLLECTION', 'GROUP', 'DOCUMENTS'],
        Object.entries(report.written).map(([name, count]) => [name, report.header.collections[name]!.group, n(count)]),
      ),
    );
    const skipped = skippedLine(report.header);
    if (skipped) ctx.print(`\n${skipped}`);
    ctx.print(`\nImport it with: denglu store import ${target} --to <data directory or postgres:// URL>`);
    return;
  }
  if (action === 'import') {
    if (file === undefined) throw new CliError(EXIT.usage, 'import needs the export file: denglu store import <file> [--to <dir|postgres-url>]');
    if (from !== undefined || out !== undefined) throw new CliError(EXIT.usage, 'import reads a file: --from and --out go with copy and export');
    const target = to ?? configuredStore(ctx.env);
    const report = await importStore(file, target, options);
    return printImport(
      ctx,
      'Imported',
      `${file} (the ${report.header.source.backend} store ${report.header.source.location}, exported ${report.header.exportedAt})`,
      redactLocation(target),
      report,
      seconds(),
    );
  }
  if (action === 'copy') {
    if (file !== undefined || out !== undefined)
      throw new CliError(EXIT.usage, 'copy moves from store to store: denglu store copy --from <dir|postgres-url> --to <dir|postgres-url>');
    if (from === undefined && to === undefined)
      throw new CliError(EXIT.usage, 'copy needs --from or --to (the other is the configured store: DATABASE_URL, else DATA_DIR)');
    const source = from ?? configuredStore(ctx.env);
    const target = to ?? configuredStore(ctx.env);
    const report = await copyStore(source, target, options);
    return printImport(ctx, 'Copied', redactLocation(source), redactLocation(target), report, seconds());
  }
  throw new CliError(EXIT.usage, `unknown action "${action}": use export, import or copy`);
}

export const store: Command = {
  name: 'store',
  usage: 'denglu store export [--out <file>] [--from <store>] | store import <file> [--to <store>] | store copy --from <store> --to <store>',
  summary: 'move everything Denglu keeps between an embedded data directory and PostgreSQL',
  local: true,
  help: [
    'A <store> is a data directory or a postgres:// URL; left out, it is the configured one: DATABASE_URL when',
    'set, else DATA_DIR (default ./data), from the environment or .env.',
    '',
    '  export     writes the store to one portable file (NDJSON; gzip when the name ends in .gz), default',
    '             denglu-export-<time>.ndjson; an existing file is never overwritten',
    '  import     loads an export file into an empty store; a store that already holds data is refused and',
    '             left unchanged',
    '  copy       both at once, without a file',
    '',
    'Moved: partners, accounts with their linked identities, managers, the audit log, signing keys and the',
    'pairwise salt (so every shopper keeps their `sub`), live sessions and refresh tokens with their expiry.',
    'Not moved: expired documents, and sign-ins in progress (they restart). Counts are compared at the end.',
    'An embedded data directory is locked by its running gateway: stop the gateway first. For a consistent',
    'export from PostgreSQL, stop the gateways too.',
    '',
    'Exit codes: 0 done and counts match, 1 refused or counts differ, 2 usage error.',
  ],
  options: { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  args: ['export|import|copy'],
  optionalArgs: ['file'],
  async run(ctx) {
    try {
      await runStore(ctx);
    } catch (err) {
      if (err instanceof MoveRefusedError || err instanceof MoveFileError) throw new CliError(EXIT.refused, err.message);
      throw err;
    }
  },
};
