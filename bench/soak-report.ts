// The soak's markdown report: what ran, each target met or missed, the outcomes (with the first
// unexpected ones word for word), the faults the emulators served, memory after the warm-up with a
// coarse table over time, event-loop stalls, and what the end-of-run checks found lost.

const f = (n: number | undefined | null, digits = 1) => (n === undefined || n === null || Number.isNaN(n) ? '—' : n.toFixed(digits));

export function renderSoak(r: any): string {
  const o = r.options;
  const lines: string[] = [];
  lines.push(`# Denglu soak (${f(r.seconds, 0)} s)`, '');
  lines.push(`${r.startedAt} · ${r.machine.cpus} × ${r.machine.cpuModel} · Node ${r.node}`, '');
  lines.push(
    `${o.concurrency} login workers, each cycling through ${o.usersPerWorker} shoppers with their own browser and Weibo user (\`prompt=login\`: every sign-in a full brokered round trip; the shop verifies the ID token and revokes the access token), and ${o.consoleShoppers} shoppers on the account console (link QQ, unlink it, reset the password by the mailed link). ` +
      `The emulators fail ${f(o.share * 100)}% of the calls to each of ${Object.entries(o.faulted)
        .map(([p, e]) => `${p} ${(e as string[]).join(', ')}`)
        .join('; ')}, the mode (${o.modes.join(', ')}) moving on every ${o.rotateMs / 1000} s. ` +
      `Upstream deadline ${o.upstreamTimeoutMs} ms; a request to Denglu unanswered after ${o.deadlineMs} ms counts as a hang.`,
    '',
  );
  lines.push('| target | measured | goal | |', '|---|---:|---|---|');
  for (const t of r.targets)
    lines.push(`| ${t.name} | ${f(t.value, 2)} | ${t.goal} | ${t.met === null ? 'not judged (under a minute after warm-up)' : t.met ? 'met' : '**missed**'} |`);
  lines.push('', '## Outcomes', '');
  lines.push(
    `${r.logins.attempts} shop sign-ins: ${r.logins.signedIn} signed in (${f(r.logins.perSecond)}/s, p50 ${f(r.logins.p50)} ms, p99 ${f(r.logins.p99)} ms), ${r.logins.revocations} access tokens revoked; ${r.outcomes.consoleActions} console actions.`,
  );
  lines.push(
    `${r.outcomes.ok} ok, ${r.outcomes.expected} failed the documented way (failure page 502 \`ERR_UPSTREAM\`; back at the shop \`temporarily_unavailable\`), ${r.faultsServed.total} faults served by the emulators, **${r.outcomes.unexpected} unexpected**.`,
  );
  const served = Object.entries(r.faultsServed.byProvider as Record<string, Record<string, Record<string, number>>>).flatMap(([p, byEndpoint]) =>
    Object.entries(byEndpoint).map(
      ([endpoint, modes]) =>
        `${p} ${endpoint}: ${Object.entries(modes)
          .map(([m, n]) => `${m} ${n}`)
          .join(', ')}`,
    ),
  );
  if (served.length) lines.push('', `Faults served — ${served.join('; ')}.`);
  lines.push(
    '',
    `Console shoppers: ${r.consoleShoppers.map((c: any) => `${c.login} ${c.resets} reset(s)${c.passwordSet ? '' : ' (no password)'}`).join('; ')}.`,
  );
  if (r.unexpected.length) {
    lines.push('', 'Unexpected (first ones, seconds into the run):', '');
    for (const u of r.unexpected.slice(0, 20)) lines.push(`- ${u.at} s: ${u.why}`);
  }
  const m = r.memory;
  lines.push(
    '',
    `## Memory (gateway process, after ${f(m.warmupSeconds, 0)} s warm-up${m.everyoneSignedInAt !== null ? `; every shopper had signed in once at ${f(m.everyoneSignedInAt, 0)} s` : ''})`,
    '',
  );
  lines.push(
    `Slopes in MiB per minute: RSS ${f(m.rssMbPerMinute, 2)}, heap in use ${f(m.heapUsedMbPerMinute, 2)}, live heap (right after a forced full collection, every fifth sample) ${f(m.liveHeapMbPerMinute, 2)} (${m.liveHeapPoints} points), store ${f(m.storeMbPerMinute, 2)} (${f(m.storeDocumentsPerMinute, 0)} documents/min).`,
  );
  lines.push(
    '',
    '| s | logins | RSS MiB | heap in use MiB | live heap MiB | store documents | store MiB | longest stall ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const samples: any[] = r.samples;
  const every = Math.max(1, Math.ceil(samples.length / 12));
  for (const s of samples.filter((_, i) => i % every === 0 || i === samples.length - 1)) {
    lines.push(
      `| ${f(s.t, 0)} | ${s.logins} | ${f(s.rssMb)} | ${f(s.heapUsedMb)} | ${f(s.liveHeapMb)} | ${s.storeDocuments} | ${f(s.storeMb, 2)} | ${f(s.maxStallMs, 0)} |`,
    );
  }
  const store = Object.entries(r.finalProcess.store as Record<string, { documents: number }>)
    .map(([c, s]) => `${c} ${s.documents}`)
    .join(', ');
  lines.push('', `Store documents at the end, by collection: ${store}.`);
  lines.push(
    '',
    `Event-loop stalls (longest per ${r.stalls.sampleSeconds} s sample): median ${f(r.stalls.medianMs, 0)} ms, p99 ${f(r.stalls.p99Ms, 0)} ms, longest ${f(r.stalls.maxMs, 0)} ms; ${r.stalls.over100Ms} samples over 100 ms. Host load average (1 min) ${f(r.hostLoad.before)} at the start, ${f(r.hostLoad.after)} at the end, on ${r.machine.cpus} cores; the gateway's event-loop thread was runnable but waiting for a core ${f(r.stalls.mainWaitPercentMedian, 0)}% of the time (median of samples), behind the load client, the emulators and whatever else runs.`,
  );
  lines.push('', '## Lost', '');
  lines.push(
    `${r.lost.sessionsChecked} shoppers signed in silently again at the end (\`prompt=none\`, same \`sub\` required); ${r.lost.accountsChecked} accounts read back from the store after the gateway stopped (the Weibo identity, the \`sub\` the shop got, QQ linked or not as last confirmed, email and password). Lost: **${r.lost.count}**.`,
  );
  for (const item of r.lost.items) lines.push(`- ${item}`);
  lines.push('');
  return lines.join('\n') + '\n';
}
