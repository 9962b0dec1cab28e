// The benchmark report's PostgreSQL section: Denglu on PostgreSQL beside Denglu on the embedded store,
// measured in the same rounds; store scaling on PostgreSQL; the statements of a login; several gateway
// instances on one database; the gateway's memory after many logins.

/** A number with `digits` decimals, or '—' when there is none (NaN is null in the result JSON). */
export const fixed = (n: number | null | undefined, digits = 1) => (n === undefined || n === null || Number.isNaN(n) ? '—' : n.toFixed(digits));

/** An error message on one line, short, for a sentence of the report (an HTML page's text is cut). */
export function oneLine(message: string, max = 200): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A counted statement for a table cell: its collection (bench/query-counter.ts), then the SQL, a long
 * one cut in the middle (beginning and end tell statements apart); pipes escaped.
 */
export function statementCell(key: string, max = 160): string {
  const m = /^\[([^\]]+)\] (.*)$/.exec(key);
  const [label, sql] = m ? [m[1]!, m[2]!] : ['', key];
  const half = Math.floor((max - 3) / 2);
  const cut = sql.length > max ? `${sql.slice(0, half)} … ${sql.slice(-half)}` : sql;
  return `${label ? `${label}: ` : ''}\`${cut.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

// biome-ignore lint/suspicious/noExplicitAny: the report reads the result JSON as written by bench/run.ts
export function renderPostgres(p: any, embedded: any[], options: any): string[] {
  if (!p) return [];
  const lines: string[] = [];
  lines.push(`## PostgreSQL (${p.database})`, '');
  lines.push(
    `Denglu on PostgreSQL (a fresh database of the run's own, dropped afterwards; DATABASE_URL of the gateway) ran in the same rounds as Denglu on the embedded store, in mirrored order within each round (each contender's windows early and late in the round). *PostgreSQL CPU* is the user + system time of the server processes working for the benchmark's database (its backends, and the WAL writer, checkpointer and background writer every database shares) from /proc/<pid>/stat, per login. *Queries* are the statements the gateway sent (node-postgres, counted in the gateway process), BEGIN and COMMIT included. *Other processes* is the CPU the machine's processes outside the benchmark used meanwhile, in percent of both cores: a run beside other work is slower for every contender.${options.pgOptions ? ` **Experiment: the gateways' connections ran with server options \`${options.pgOptions}\`.**` : ''}${options.pgPrepare ? ' **Experiment: the gateways sent every parameterised statement as a named prepared statement (`--pg-prepare`).**' : ''}`,
    '',
  );
  if (p.settings) {
    const list = Object.entries(p.settings as Record<string, string>).map(([k, v]) => `${k} = ${v || "''"}`);
    lines.push(
      `The server's settings: ${list.join(', ')}.${p.settings.autovacuum === 'off' ? " **Autovacuum is off on this server** (a CI machine's setting; every production server runs it): no table gets statistics or is vacuumed while the run goes on, so dead rows of the churning sign-in data stay and plans are made without statistics." : ''}`,
      '',
    );
  }
  lines.push(
    '| concurrency | embedded logins/s | PostgreSQL logins/s | PostgreSQL ÷ embedded (median; rounds) | embedded p50 / p99 ms | PostgreSQL p50 / p99 ms | Denglu CPU ms/login (embedded / PostgreSQL) | PostgreSQL CPU ms/login | queries per login | other processes % | failed logins |',
  );
  lines.push('|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|');
  for (const s of p.summary) {
    const e = embedded.find((x) => x.concurrency === s.concurrency)?.denglu ?? {};
    lines.push(
      `| ${s.concurrency} | ${fixed(e.loginsPerSecond)} | ${fixed(s.loginsPerSecond)} | **${fixed(s.ratioMedian, 2)}** (${s.ratioPerRound.map((x: number) => fixed(x, 2)).join(', ')}) | ${fixed(e.p50)} / ${fixed(e.p99)} | ${fixed(s.p50)} / ${fixed(s.p99)} | ${fixed(e.cpuMsPerLogin, 2)} / ${fixed(s.cpuMsPerLogin, 2)} | ${fixed(s.databaseCpuMsPerLogin, 2)} | ${fixed(s.queriesPerLogin, 1)} | ${fixed(s.outsidePercent, 0)} | ${s.errors} |`,
    );
  }
  const f = p.floor;
  const at8 = p.summary.find((s: any) => s.concurrency === 8);
  const e8 = embedded.find((x) => x.concurrency === 8)?.denglu;
  if (f && f.serverCpuUs !== undefined) {
    lines.push('', '### The round-trip floor', '');
    const perStatementMs = (f.clientCpuUs + f.serverCpuUs) / 1000;
    let bound = '';
    if (at8 && e8) {
      // Every process of an embedded login (gateway, emulator, load client) against the same plus the floor of each statement.
      const embeddedMs = e8.cpuMsPerLogin + e8.emulatorCpuMsPerLogin + e8.clientCpuMsPerLogin;
      const added = at8.queriesPerLogin * perStatementMs;
      bound = ` At concurrency 8 a login sent ${fixed(at8.queriesPerLogin, 1)} statements: at the floor alone they add ${fixed(added, 2)} ms of CPU to the ${fixed(embeddedMs, 2)} ms that an embedded login costs every process together (gateway, emulator, load client), so on these shared cores PostgreSQL ÷ embedded cannot pass **${fixed(embeddedMs / (embeddedMs + added), 2)}** with this many statements, however cheap each one's work; reaching 0.8 would take at most ${fixed((embeddedMs * 0.25) / perStatementMs, 1)} statements per login.`;
    }
    lines.push(
      `The cheapest statement there is (a named prepared \`SELECT $1::int\`, ${f.concurrency} connections back to back from the benchmark's process, \`bench/round-trip-floor.ts\`): ${fixed(f.roundTripsPerSecond, 0)} per second, ${fixed(f.clientCpuUs, 0)} µs of CPU in the client and ${fixed(f.serverCpuUs, 0)} µs in PostgreSQL per round trip (socket writes and reads, wake-ups of both processes, the protocol).${bound}`,
    );
  }
  if (p.scaling?.length) {
    lines.push('', `### Store scaling on PostgreSQL (concurrency ${options.scaleConcurrency})`, '');
    lines.push(
      'Accounts generated deterministically and written with `store.load` (multi-row inserts) in chunks, one database per size; each size in its own gateway, measured in interleaved rounds.',
      '',
    );
    lines.push(
      '| accounts | logins/s | relative (median; rounds) | p99 ms | Denglu CPU ms/login | PostgreSQL CPU ms/login | queries per login | failed logins |',
    );
    lines.push('|---:|---:|---|---:|---:|---:|---:|---:|');
    for (const s of p.scaling) {
      lines.push(
        `| ${s.accounts.toLocaleString('en')} | ${fixed(s.loginsPerSecond)} | **${fixed(s.relative, 2)}** (${s.relativePerRound.map((x: number) => fixed(x, 2)).join(', ')}) | ${fixed(s.p99)} | ${fixed(s.cpuMsPerLogin, 2)} | ${fixed(s.databaseCpuMsPerLogin, 2)} | ${fixed(s.queriesPerLogin, 1)} | ${s.errors} | ${s.collidingUsersLeftOut ?? 0} |`,
      );
    }
  }
  if (p.instances) {
    const i = p.instances;
    lines.push('', `### ${i.instances} gateway instances on one database (concurrency ${i.concurrency})`, '');
    lines.push(
      `The same issuer served by ${i.instances} gateway processes on the same database, every request of a login sent to the next one in turn by the load client (authorization on one, callback on the other, token on the first …), against one gateway alone, interleaved round by round. On two cores they cannot add capacity; they must not cost it.`,
      '',
    );
    lines.push('| gateways | logins/s | p99 ms | Denglu CPU ms/login (all gateways) | PostgreSQL CPU ms/login |');
    lines.push('|---:|---:|---:|---:|---:|');
    lines.push(`| 1 | ${fixed(i.one.loginsPerSecond)} | ${fixed(i.one.p99)} | ${fixed(i.one.cpuMsPerLogin, 2)} | ${fixed(i.one.databaseCpuMsPerLogin, 2)} |`);
    lines.push(
      `| ${i.instances} | ${fixed(i.several.loginsPerSecond)} | ${fixed(i.several.p99)} | ${fixed(i.several.cpuMsPerLogin, 2)} | ${fixed(i.several.databaseCpuMsPerLogin, 2)} |`,
    );
    lines.push(
      '',
      `${i.instances} ÷ 1: **${fixed(i.ratioMedian, 2)}** (rounds: ${i.ratioPerRound.map((x: number) => fixed(x, 2)).join(', ')}); failed logins: ${i.errors}${i.firstError ? ` (first: ${oneLine(i.firstError)})` : ''}.`,
    );
  }
  if (p.memory) {
    lines.push(
      '',
      `Gateway memory on PostgreSQL after ${p.memory.logins.toLocaleString('en')} logins (warm-ups and rounds included): RSS **${fixed(p.memory.rssMb)} MiB** (peak ${fixed(p.memory.maxRssMb)} MiB, live heap after the last full collection ${fixed(p.memory.liveHeapMb)} MiB, V8 heap reserved ${fixed(p.memory.heapTotalMb)} MiB, outside V8's heap ${fixed(p.memory.externalMb)} MiB; RSS was ${fixed(p.memory.startRssMb)} MiB after ${p.memory.startLogins.toLocaleString('en')} logins, so it grew ${fixed(p.memory.rssMb - p.memory.startRssMb)} MiB over the last ${(p.memory.logins - p.memory.startLogins).toLocaleString('en')}).`,
    );
  }
  if (p.statements?.length) {
    lines.push('', `### The statements of a login (concurrency ${Math.max(...options.concurrency)}, all rounds)`, '');
    lines.push('| statement | per login | ms per call (sent → answer) |', '|---|---:|---:|');
    for (const s of p.statements) lines.push(`| ${statementCell(s.statement)} | ${fixed(s.perLogin, 2)} | ${fixed(s.msPerCall, 2)} |`);
  }
  return lines;
}
