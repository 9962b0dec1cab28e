// A lowdb adapter for one snapshot file. Reading refuses damaged JSON with a clear message and never
// rewrites it; writing streams the document in chunks (no long event-loop stall at 100k accounts) to a
// temporary file, fsyncs it, renames it over the old snapshot and fsyncs the directory.

import { open, readFile, rename } from 'node:fs/promises';
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
        await write('}');
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
