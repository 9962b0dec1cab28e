// Queries per login, statement by statement: in a benchmark gateway on PostgreSQL, every query the
// node-postgres client sends is counted under its SQL text (whitespace folded) and, when its first
// parameter is a name (the collection, in the store's statements), that name: `[accounts] SELECT …`;
// with the time until its answer. pg_stat_statements would say the same from the server's side, but it needs a server restart
// to load; this needs nothing from the server. The benchmark reads the counts through the metrics port
// before and after a window and divides the difference by the logins (`queryDelta`).
// An experiment (`--pg-prepare`, BENCH_PG_PREPARE=1 in the gateway): every parameterised statement is
// sent as a named prepared statement, parsed and planned once per connection instead of on every call,
// to measure what the store would save by naming its statements.

import pg from 'pg';

export interface StatementCount {
  calls: number;
  /** Summed time from sending to the answer, ms. */
  ms: number;
}

/** At most this many distinct statements; the rest is counted as one. */
const MAX_STATEMENTS = 400;
const OTHER = '(other statements)';

/** Statement texts with whitespace folded, by their text as sent (a few dozen distinct ones). */
const folded = new Map<string, string>();

/**
 * A statement's text with whitespace folded and its literals replaced (`'…'`, `N`): a statement that
 * carries its values in the text (`BEGIN; SELECT … WHERE id = 'x' FOR UPDATE`) counts as one shape.
 */
export function fold(text: string): string {
  let f = folded.get(text);
  if (f === undefined) {
    f = text
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/'(?:[^']|'')*'/g, "'…'")
      .replace(/(?<![$\w])\d+(?:\.\d+)?/g, 'N');
    if (folded.size < MAX_STATEMENTS) folded.set(text, f);
  }
  return f;
}

/**
 * The key a statement is counted under: its text with whitespace folded, after its first parameter in
 * brackets when that is a name; or what kind of query object it is.
 */
export function statementKey(query: unknown, values?: unknown): string {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return `(${(query as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'query object'})`;
  const params = Array.isArray(values) ? values : (query as { values?: unknown } | null)?.values;
  const first = Array.isArray(params) ? params[0] : undefined;
  // The counter runs inside the gateway it measures: a statement seen before costs two map lookups, not
  // the folding and matching below (and the same key string, whose hash V8 keeps, for the counts).
  const cacheable = first === undefined || (typeof first === 'string' && first.length <= MAX_NAME);
  const byFirst = cacheable ? keys.get(text) : undefined;
  const known = byFirst?.get(first);
  if (known !== undefined) return known;
  const key = computeKey(text, first);
  if (cacheable && (byFirst ? byFirst.size < MAX_STATEMENTS : keys.size < MAX_STATEMENTS)) {
    if (byFirst) byFirst.set(first, key);
    else keys.set(text, new Map([[first, key]]));
  }
  return key;
}

/** Keys by statement text as sent, then by its first parameter (bounded like `folded`). */
const keys = new Map<string, Map<string | undefined, string>>();
/** Longer first parameters are not names (see computeKey) and not worth remembering. */
const MAX_NAME = 41;

function computeKey(text: string, first: unknown): string {
  const sql = fold(text);
  // The collection: the first parameter, or a literal `collection = '…'` in the text.
  const name = typeof first === 'string' ? first : /collection = '([\w.-]+)'/.exec(text)?.[1];
  return name !== undefined && /^[A-Za-z][\w.-]{0,40}$/.test(name) ? `[${name}] ${sql}` : sql;
}

/** Counts in `after` minus those in `before`, statements that ran at least once meanwhile. */
export function queryDelta(before: Record<string, StatementCount>, after: Record<string, StatementCount>): Record<string, StatementCount> {
  const out: Record<string, StatementCount> = {};
  for (const [key, a] of Object.entries(after)) {
    const calls = a.calls - (before[key]?.calls ?? 0);
    if (calls > 0) out[key] = { calls, ms: a.ms - (before[key]?.ms ?? 0) };
  }
  return out;
}

/** Names of prepared statements by their text (the --pg-prepare experiment). */
const names = new Map<string, string>();

/**
 * The query arguments with a parameterised statement turned into a named prepared one (same text, same
 * values); anything else (no parameters, already named, a query object such as COPY) unchanged.
 */
export function preparedArgs(args: unknown[]): unknown[] {
  const [query, values, ...rest] = args;
  const config = typeof query === 'string' ? { text: query, ...(Array.isArray(values) ? { values } : {}) } : (query as Record<string, unknown> | null);
  if (!config || typeof config.text !== 'string' || config.name || typeof config.submit === 'function') return args;
  const params = Array.isArray(values) ? values : config.values;
  if (!Array.isArray(params) || params.length === 0) return args;
  let name = names.get(config.text);
  if (!name) {
    name = `bench_${names.size + 1}`;
    names.set(config.text, name);
  }
  return [{ ...config, name, values: params }, typeof values === 'function' ? values : undefined, ...rest];
}

/**
 * Counts every query of every pg client of this process from now on (with `prepare`, sending
 * parameterised ones as named prepared statements): the live counts, and how to stop.
 */
export function countQueries(options: { prepare?: boolean } = {}): { counts: Record<string, StatementCount>; stop: () => void } {
  const counts: Record<string, StatementCount> = {};
  let distinct = 0;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function counted(this: unknown, ...sent: unknown[]) {
    const args = options.prepare ? preparedArgs(sent) : sent;
    let key = statementKey(sent[0], sent[1]);
    if (!(key in counts) && distinct >= MAX_STATEMENTS) key = OTHER;
    let entry = counts[key];
    if (!entry) {
      entry = { calls: 0, ms: 0 };
      counts[key] = entry;
      distinct++;
    }
    entry.calls++;
    const started = performance.now();
    const finish = () => {
      entry.ms += performance.now() - started;
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        finish();
        return callback(...a);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(finish, finish);
    return result;
  };
  return {
    counts,
    stop: () => {
      proto.query = original;
    },
  };
}
