// A lowdb adapter for one snapshot file. Reading refuses damaged JSON with a clear message and never
// rewrites it; writing streams the document in chunks (no long event-loop stall at 100k accounts) to a
// temporary file, fsyncs it, renames it over the old snapshot and fsyncs the directory.
// The file is one JSON document laid out one record per line, and is read line by line: a snapshot of a
// million accounts (over 512 MiB) is longer than the longest string V8 can hold, so it is never read
// into one string. A file in any other layout (hand-edited, older) is read whole.

import { createReadStream } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import { GatewayError } from '../../errors.ts';
import type { StoredRecord } from '../memory-tables.ts';
import { fsyncDir, writeAll } from './journal.ts';

export const SNAPSHOT_FORMAT = 'denglu-store/1';

export interface SnapshotData {
  format: typeof SNAPSHOT_FORMAT;
  group: string;
  /** every journal entry with s ≤ seq is contained */
  seq: number;
  savedAt: string;
  collections: Record<string, [string, StoredRecord][]>;
}

/** Records serialised per chunk before yielding to the event loop. */
const CHUNK_RECORDS = 1000;

export class SnapshotFile implements Adapter<SnapshotData> {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  async read(): Promise<SnapshotData | null> {
    const lines = await readLines(this.file);
    if (lines === null) return null;
    if (lines !== 'other-layout') return this.#parseLines(lines);
    return this.#readWhole();
  }

  /** The line layout this writer uses: a header line, then per collection an opening line, one line per record, a closing line. */
  #parseLines(lines: AsyncIterable<string>): Promise<SnapshotData> {
    return parseLineLayout(this.file, lines);
  }

  async #readWhole(): Promise<SnapshotData | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let parsed: { format?: unknown; group?: unknown; seq?: unknown; savedAt?: unknown; collections?: unknown } | null;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw corrupt(this.file, `it is not valid JSON (${(err as Error).message})`);
    }
    if (!parsed || parsed.format !== SNAPSHOT_FORMAT || typeof parsed.seq !== 'number' || !isObject(parsed.collections)) {
      throw corrupt(this.file, `it is not a ${SNAPSHOT_FORMAT} snapshot`);
    }
    const collections: Record<string, [string, StoredRecord][]> = {};
    for (const [name, records] of Object.entries(parsed.collections as Record<string, unknown>)) {
      const entries = isObject(records) ? Object.entries(records as Record<string, StoredRecord>) : undefined;
      if (!entries?.every(([, r]) => isObject(r) && 'v' in r && (r.e === undefined || typeof r.e === 'number'))) {
        throw corrupt(this.file, `collection ${JSON.stringify(name)} does not hold {"v": …} records`);
      }
      collections[name] = entries;
    }
    return { format: SNAPSHOT_FORMAT, group: parsed.group as string, seq: parsed.seq, savedAt: parsed.savedAt as string, collections };
  }

  async write(data: SnapshotData): Promise<void> {
    const tmp = `${dirname(this.file)}/.${basename(this.file)}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      const write = (text: string) => writeAll(handle, Buffer.from(text, 'utf8'));
      const header = { format: data.format, group: data.group, seq: data.seq, savedAt: data.savedAt };
      await write(JSON.stringify(header).slice(0, -1) + ',"collections":{\n');
      let firstCollection = true;
      for (const [name, records] of Object.entries(data.collections)) {
        await write(`${firstCollection ? '' : ',\n'}${JSON.stringify(name)}:{`);
        firstCollection = false;
        for (let i = 0; i < records.length; i += CHUNK_RECORDS) {
          const parts: string[] = [];
          for (const [id, record] of records.slice(i, i + CHUNK_RECORDS)) {
            // A record held as text is already its document's JSON: spliced in, not serialised again.
            const v = record.t ?? JSON.stringify(record.v);
            parts.push(`${JSON.stringify(id)}:{"v":${v}${record.e === undefined ? '' : `,"e":${record.e}`}}`);
          }
          await write((i === 0 ? '\n' : ',\n') + parts.join(',\n'));
        }
        await write('\n}');
      }
      await write('\n}}\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    await fsyncDir(dirname(this.file));
  }
}

const HEADER_END = ',"collections":{';
const COLLECTION_START = /^("(?:[^"\\]|\\.)*"):\{(\}?),?$/;

/**
 * The file's lines after its first, when the first is a line-layout header (returned first in the
 * iterable); 'other-layout' when it is not; null when there is no file.
 */
async function readLines(file: string): Promise<AsyncIterable<string> | 'other-layout' | null> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    input.once('ready', () => resolve(undefined));
    input.once('error', (err) => resolve(err));
  });
  if (opened) {
    if (opened.code === 'ENOENT') return null;
    throw opened;
  }
  const reader = createInterface({ input, crlfDelay: Infinity });
  const iterator = reader[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || !first.value.startsWith('{"format":') || !first.value.endsWith(HEADER_END)) {
    reader.close();
    input.destroy();
    return 'other-layout';
  }
  return (async function* () {
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}

/**
 * Parses the line layout. Records are one per line (`"id":{"v":…,"e":…}` and a comma); a collection
 * closes on its own line (`}`), or, in files of earlier writers, at the end of its last record's line.
 */
async function parseLineLayout(file: string, lines: AsyncIterable<string>): Promise<SnapshotData> {
  let header: { format?: unknown; group?: unknown; seq?: unknown; savedAt?: unknown } | undefined;
  const collections: Record<string, [string, StoredRecord][]> = {};
  let current: [string, StoredRecord][] | undefined;
  let currentName = '';
  let ended = false;
  let n = 0;
  for await (const raw of lines) {
    n++;
    if (n === 1) {
      try {
        header = JSON.parse(`${raw}}}`);
      } catch (err) {
        throw corrupt(file, `its first line is not valid JSON (${(err as Error).message})`);
      }
      continue;
    }
    const line = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (ended) throw corrupt(file, `line ${n} follows the end of the document`);
    if (current === undefined) {
      if (line === '}}') {
        ended = true;
        continue;
      }
      const start = COLLECTION_START.exec(line);
      if (!start) throw corrupt(file, `line ${n} does not open a collection`);
      currentName = JSON.parse(start[1]!) as string;
      current = [];
      collections[currentName] = current;
      if (start[2] === '}') current = undefined;
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    let parsed: Record<string, unknown>;
    let closes = false;
    try {
      parsed = JSON.parse(`{${line}}`);
    } catch {
      try {
        parsed = JSON.parse(`{${line.slice(0, -1)}}`);
        closes = line.endsWith('}');
      } catch (err) {
        throw corrupt(file, `line ${n} is not valid JSON (${(err as Error).message})`);
      }
    }
    for (const [id, record] of Object.entries(parsed)) {
      if (!isObject(record) || !('v' in record) || (record.e !== undefined && typeof record.e !== 'number')) {
        throw corrupt(file, `collection ${JSON.stringify(currentName)} does not hold {"v": …} records (line ${n})`);
      }
      current.push([id, record as StoredRecord]);
    }
    if (closes) current = undefined;
  }
  if (!ended) throw corrupt(file, 'it ends before the end of the document (a partial write)');
  if (!header || header.format !== SNAPSHOT_FORMAT || typeof header.seq !== 'number') {
    throw corrupt(file, `it is not a ${SNAPSHOT_FORMAT} snapshot`);
  }
  return { format: SNAPSHOT_FORMAT, group: header.group as string, seq: header.seq, savedAt: header.savedAt as string, collections };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(file: string, why: string): GatewayError {
  return new GatewayError(
    'ERR_STORE_CORRUPT',
    `the store file ${file} is damaged: ${why}. Denglu will not start on a damaged store and has not modified it. ` +
      'Restore the file from a backup, or move it away to start with an empty store.',
  );
}
