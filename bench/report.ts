// The benchmark's markdown report: what ran where, Denglu against the baseline per concurrency (median of
// rounds, with the per-round ratios), store scaling, the password flood, Denglu on PostgreSQL
// (bench/report-postgres.ts), and each target met or missed.

import { renderFlood } from './flood.ts';
import { fixed as f, renderPostgres, statementCell } from './report-postgres.ts';

const steal = (s: { median: number; max: number } | undefined) => (s ? `${f(s.median, 0)} / ${f(s.max, 0)}` : '—');

export function renderMarkdown(r: any): string {
  const lines: string[] = [];
  lines.push(`# Denglu benchmark${r.smoke ? ' (smoke run)' : ''}`, '');
  lines.push(`${r.startedAt} · ${r.machine.cpus} × ${r.machine.cpuModel} · ${r.machine.memoryGiB} GiB · ${r.machine.os} · Node ${r.node}`);
  lines.push(
    `Packages: ${Object.entries(r.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  const flags: string[] = r.options.nodeFlags ?? [];
  lines.push(
    `Node flags of Denglu and the baseline (those of \`npm start\` unless overridden): ${flags.length ? flags.map((x) => `\`${x}\``).join(' ') : 'none (Node defaults)'}`,
  );
  lines.push(
    `Each login: authorization request with \`provider=${r.options.provider}\` → emulator authorize (auto-approve) → Denglu callback, which answers with the code (the authorization resumes in that same response) → token request (client_secret_basic + PKCE) → ID token verified with jose. Baseline: bare oidc-provider, auto-login interaction then consent interaction, same client settings. Load client, Denglu, emulator and baseline share the machine. Each server first runs ${r.options.jitWarmup ?? 0}s of logins unmeasured (JIT warm-up); then ${r.options.rounds} round(s) per concurrency; in each, Denglu and the baseline get ${r.options.duration}s each in ABBA order (A, B, B, A: two windows of ${r.options.duration / 2}s each, a ${r.options.warmup}s warm-up before each switch, which side opens alternating by round), so a drift of the machine's speed within the round weighs on both alike.`,
    '',
  );
  lines.push(
    '| concurrency | Denglu logins/s | baseline logins/s | Denglu ÷ baseline (median; rounds) | Denglu p50 / p99 ms | baseline p50 / p99 ms | Denglu CPU ms/login | emulator CPU ms/login | baseline CPU ms/login | load client CPU ms/login (Denglu / baseline) | event-loop thread on a core / waiting for one, % (Denglu; baseline) | host steal % (median / max) |',
  );
  lines.push('|---:|---:|---:|---|---|---|---:|---:|---:|---|---|---|');
  for (const s of r.summary) {
    lines.push(
      `| ${s.concurrency} | ${f(s.denglu.loginsPerSecond)} | ${f(s.baseline.loginsPerSecond)} | **${f(s.ratioMedian, 2)}** (${s.ratioPerRound.map((x: number) => f(x, 2)).join(', ')}) | ${f(s.denglu.p50)} / ${f(s.denglu.p99)} | ${f(s.baseline.p50)} / ${f(s.baseline.p99)} | ${f(s.denglu.cpuMsPerLogin, 2)} | ${f(s.denglu.emulatorCpuMsPerLogin, 2)} | ${f(s.baseline.cpuMsPerLogin, 2)} | ${f(s.denglu.clientCpuMsPerLogin, 2)} / ${f(s.baseline.clientCpuMsPerLogin, 2)} | ${f(s.denglu.mainRunPercent, 0)} / ${f(s.denglu.mainWaitPercent, 0)}; ${f(s.baseline.mainRunPercent, 0)} / ${f(s.baseline.mainWaitPercent, 0)} | ${steal(s.stealPercent)} |`,
    );
  }
  lines.push(
    '',
    "The event-loop thread's share of the window on a core, and runnable but waiting for one (`/proc/<pid>/task/<tid>/schedstat`): where a server's thread waits, the other processes and its own worker threads hold the two cores, and it completes fewer logins than its CPU per login allows.",
  );
  lines.push('', `Denglu peak RSS: ${f(r.peakRssMb)} MiB.`);
  if (r.sessionBytes)
    lines.push(
      `Store: ${f(r.sessionBytes.ephemeralBytes / 1024)} KiB of OIDC artifacts and flows for ${r.sessionBytes.sessions} live sessions = ${f(r.sessionBytes.bytesPerSession, 0)} bytes per session.`,
    );
  lines.push('', `## Store scaling (concurrency ${r.options.scaleConcurrency})`, '');
  lines.push('Each size runs in its own Denglu process, measured in interleaved rounds (the order alternating); medians, relative throughput per round.', '');
  lines.push(
    '| accounts | logins/s | relative (median; rounds) | p99 ms | longest event-loop stall ms (all rounds) | longest GC pause ms (kind) | CPU ms/login | host steal % (rounds) |',
  );
  lines.push('|---:|---:|---|---:|---:|---|---:|---|');
  for (const s of r.scaling) {
    lines.push(
      `| ${s.accounts.toLocaleString('en')} | ${f(s.loginsPerSecond)} | **${f(s.relative, 2)}** (${(s.relativePerRound ?? []).map((x: number) => f(x, 2)).join(', ')}) | ${f(s.p99)} | ${f(s.maxStallMs)} | ${f(s.maxGcPauseMs)} (${s.maxGcKind || '—'}) | ${f(s.cpuMsPerLogin, 2)} | ${(s.stealPercentPerRound ?? []).map((x: number) => f(x, 0)).join(', ') || '—'} |`,
    );
  }
  lines.push(
    '',
    'Host steal is the CPU time the host took from this virtual machine while a round ran (/proc/stat). The event-loop stall includes it: a round with high steal stalls longer and runs slower for reasons outside Denglu. The longest GC pause is what V8 itself paused the gateway for.',
  );
  if (r.costs) lines.push('', ...renderCosts(r.costs));
  if (r.flood) lines.push('', ...renderFlood(r.flood));
  if (r.postgres) lines.push('', ...renderPostgres(r.postgres, r.summary, r.options));
  for (const failure of r.scalingFailures ?? []) lines.push('', `**Store scaling failed** — ${failure}`);
  lines.push('', '## Targets', '', '| target | measured | goal | |', '|---|---:|---|---|');
  for (const t of r.targets) lines.push(`| ${t.name} | ${f(t.value, 2)} | ${t.target} | ${t.met ? 'met' : '**missed**'} |`);
  lines.push('');
  return lines.join('\n') + '\n';
}

/** The cost breakdown: each route's CPU per request and per login, and what the rest was. */
function renderCosts(costs: any): string[] {
  const lines = ['## What a login costs (concurrency 1)', ''];
  lines.push(
    "The process's CPU while each request ran, counted for requests that ran alone (`bench/request-costs.ts`): the main thread's, plus what other threads did meanwhile (the RSA signature of the ID token on libuv's thread pool, GC helpers). *Per login* multiplies by how often the route comes up in one login. *Between requests* is the process's whole CPU per login minus that: work that finished after its request was answered (background fdatasync, sweeps, GC).",
    '',
    '| server | route | ms per request | times per login | ms per login |',
    '|---|---|---:|---:|---:|',
  );
  const rows = (server: string, c: { logins: number; processCpuMsPerLogin: number; routes: Record<string, { requests: number; cpuMs: number }> }) => {
    let inRequests = 0;
    for (const [route, cost] of Object.entries(c.routes).sort(([, a], [, b]) => b.cpuMs - a.cpuMs)) {
      const times = Math.max(1, Math.round(cost.requests / Math.max(1, c.logins)));
      const perRequest = cost.cpuMs / Math.max(1, cost.requests);
      inRequests += perRequest * times;
      lines.push(`| ${server} | \`${route}\` | ${f(perRequest, 3)} | ${times} | ${f(perRequest * times, 3)} |`);
    }
    lines.push(`| ${server} | *in requests* | | | **${f(inRequests, 3)}** |`);
    lines.push(`| ${server} | *between requests* | | | ${f(c.processCpuMsPerLogin - inRequests, 3)} |`);
    lines.push(`| ${server} | *whole process* | | | **${f(c.processCpuMsPerLogin, 3)}** |`);
  };
  rows('Denglu', costs.denglu);
  if (costs.denglu.upstream) rows('Weibo emulator', { logins: costs.denglu.logins, ...costs.denglu.upstream });
  if (costs.baseline) rows('baseline', costs.baseline);
  if (costs.postgres) rows('Denglu on PostgreSQL', costs.postgres);
  const db = costs.postgres?.database;
  if (db) {
    lines.push(
      '',
      `On PostgreSQL at concurrency 1: the database's server processes spent ${f(db.cpuMsPerLogin, 2)} ms CPU per login; the gateway sent these statements (time from sending to the answer, as the gateway saw it):`,
      '',
      '| statement | per login | ms per call |',
      '|---|---:|---:|',
    );
    for (const s of db.statements) lines.push(`| ${statementCell(s.statement)} | ${f(s.perLogin, 2)} | ${f(s.msPerCall, 3)} |`);
  }
  return lines;
}
