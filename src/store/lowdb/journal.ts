// Append-only journal of store writes with group commit. Each line is one atomic batch
// `{"s":seq,"o":[ops]}`. A batch is acknowledged once its line is written (so it survives a crash of the
// process) and, by default, fdatasync'ed (so it survives a power loss); with `syncIntervalMs` the
// fdatasync runs in the background at most that often instead (for data whose last second may be lost
// on power failure, never on a process crash). Lines live in
// segment files `<group>.<firstSeq>.journal`; compaction rotates to a new segment and deletes old ones
// once a snapshot covers them. A crash can only tear the last line, which is dropped on open.

import { writeSync } from 'node:fs';
import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../../errors.ts';

export type JournalOp = ['p', string, string, unknown, number?] | ['d', string, string];
export interface JournalEntry {
  s: number;
  o: JournalOp[];
}

/** Test seam: throw from here to simulate a failing disk (ENOSPC, EIO). */
export type WriteHook = (file: string) => void;
/** Test seam: the synchronous write appends use (fs.writeSync's signature), for short and failing writes. */
export type AppendWrite = (fd: number, data: Buffer, offset: number, length: number) => number;

interface Pending {
  seq: number;
  line: string;
  segment: Segment;
  undo: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Segment {
  file: string;
  firstSeq: number;
  handle: FileHandle;
  /** bytes known to be durable */
  offset: number;
  /** a failed write may have left bytes past `offset` that could not be cut off yet */
  dirty?: boolean;
}

const SEGMENT = /^(.+)\.(\d{12})\.journal$/;

function segmentName(group: string, firstSeq: number): string {
  return `${group}.${String(firstSeq).padStart(12, '0')}.journal`;
}

export class Journal {
  readonly #dir: string;
  readonly #group: string;
  readonly #hook: WriteHook | undefined;
  readonly #write: AppendWrite;
  #segments: Segment[];
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #lastSeq: number;
  #durableSeq: number;
  /** the lowest sequence number that failed since the last rotation (0: none) */
  #firstFailedSeq = 0;
  #bytesSinceRotate = 0;
  #closed = false;
  readonly #syncIntervalMs: number | undefined;
  /** Segments written since their last fdatasync (interval mode). */
  readonly #unsynced = new Set<Segment>();
  #syncTimer: NodeJS.Timeout | undefined;
  #log: ((msg: string) => void) | undefined;

  private constructor(
    dir: string,
    group: string,
    segments: Segment[],
    lastSeq: number,
    hook?: WriteHook,
    syncIntervalMs?: number,
    log?: (msg: string) => void,
    write: AppendWrite = writeSync,
  ) {
    this.#write = write;
    this.#syncIntervalMs = syncIntervalMs;
    this.#log = log;
    this.#dir = dir;
    this.#group = group;
    this.#segments = segments;
    this.#lastSeq = lastSeq;
    this.#durableSeq = lastSeq;
    this.#hook = hook;
    this.#bytesSinceRotate = segments.reduce((n, s) => n + s.offset, 0);
  }

  /**
   * Opens every segment of `group`, returns their entries in order. A torn final line (a crash during
   * an append) is cut off; a damaged line followed by good ones means corruption and stops the open.
   */
  static async open(
    dir: string,
    group: string,
    options: { afterSeq: number; hook?: WriteHook; log?: (msg: string) => void; syncIntervalMs?: number; write?: AppendWrite },
  ): Promise<{ journal: Journal; entries: JournalEntry[] }> {
    const names = (await readdir(dir))
      .map((name) => ({ name, m: SEGMENT.exec(name) }))
      .filter((x) => x.m && x.m[1] === group)
      .sort((a, b) => a.name.localeCompare(b.name));
    const read: { file: string; firstSeq: number; bytes: number; parsed: JournalEntry[]; goodBytes: number; torn: number }[] = [];
    for (const { name, m } of names) {
      const file = join(dir, name);
      const text = await readFile(file, 'utf8');
      read.push({ file, firstSeq: Number(m![2]), bytes: Buffer.byteLength(text), ...parseSegment(file, text) });
    }
    // A torn tail is only possible where the last write went: no later segment may hold entries. (A group
    // commit that straddles a compaction's rotation writes the older segment first, the newer one after.)
    for (let i = 0; i < read.length; i++) {
      const later = read.slice(i + 1).find((r) => r.parsed.length > 0);
      if (read[i]!.goodBytes < read[i]!.bytes && later) throw damaged(read[i]!.file, read[i]!.torn);
    }
    const entries: JournalEntry[] = [];
    const segments: Segment[] = [];
    let lastSeq = options.afterSeq;
    try {
      for (const { file, firstSeq, bytes, parsed, goodBytes } of read) {
        for (const entry of parsed) {
          if (entry.s > lastSeq) lastSeq = entry.s;
          if (entry.s > options.afterSeq) entries.push(entry);
        }
        const handle = await open(file, 'a');
        segments.push({ file, firstSeq, handle, offset: goodBytes });
        if (goodBytes < bytes) {
          options.log?.(`journal ${file}: dropped a torn final line left by an interrupted write`);
          await handle.truncate(goodBytes);
          await handle.datasync();
        }
      }
    } catch (err) {
      for (const segment of segments) await segment.handle.close();
      throw err;
    }
    if (segments.length === 0) {
      const file = join(dir, segmentName(group, lastSeq + 1));
      const handle = await open(file, 'a');
      segments.push({ file, firstSeq: lastSeq + 1, handle, offset: 0 });
      await fsyncDir(dir);
    }
    return { journal: new Journal(dir, group, segments, lastSeq, options.hook, options.syncIntervalMs, options.log, options.write), entries };
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Bytes appended since the last rotation: drives compaction. */
  get bytesSinceRotate(): number {
    return this.#bytesSinceRotate;
  }

  /** Reserves the next sequence number (callers apply to memory, then append with it). */
  nextSeq(): number {
    return ++this.#lastSeq;
  }

  /** Queues one batch line (already serialised, ending in a newline) under a reserved sequence number. */
  appendRaw(seq: number, line: string, undo: () => void): Promise<void> {
    if (this.#closed) {
      undo();
      return Promise.reject(new GatewayError('ERR_STORE_UNAVAILABLE', 'store is closed', { status: 503 }));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ seq, line, segment: this.#current, undo, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Resolves once every batch up to `seq` is durable; rejects if one of them failed. */
  async durableThrough(seq: number): Promise<void> {
    while (this.#durableSeq < seq && this.#flushing) await this.#flushing;
    if (this.#firstFailedSeq !== 0 && this.#firstFailedSeq <= seq) {
      throw new GatewayError('ERR_STORE_UNAVAILABLE', 'a journal write failed before the snapshot point', { status: 503 });
    }
  }

  /**
   * Starts a new segment; later appends go there. `cut` is the last sequence number that belongs to
   * the old segments: a snapshot must cover it before `dropThrough(cut)` may delete them.
   */
  async rotate<T>(atCut: (cut: number) => T): Promise<{ cut: number; captured: T }> {
    const file = join(this.#dir, segmentName(this.#group, this.#lastSeq + 1));
    // Same name: nothing was appended since the current segment was made, so it can go on serving.
    // (Opening it a second time would let dropThrough delete the live segment.)
    if (file !== this.#current.file) {
      const handle = await open(file, 'a');
      await fsyncDir(this.#dir);
      // Sequence numbers may have been handed out while we awaited: the new segment starts after them,
      // and `atCut` runs synchronously here so what it captures is exactly the state through `cut`.
      this.#segments.push({ file, firstSeq: this.#lastSeq + 1, handle, offset: 0 });
    }
    const cut = this.#lastSeq;
    this.#firstFailedSeq = 0;
    this.#bytesSinceRotate = 0;
    return { cut, captured: atCut(cut) };
  }

  /** Deletes segments whose every entry is ≤ cut (they are covered by a durable snapshot). */
  async dropThrough(cut: number): Promise<void> {
    const keep: Segment[] = [];
    for (let i = 0; i < this.#segments.length; i++) {
      const segment = this.#segments[i]!;
      const next = this.#segments[i + 1];
      if (next && next.firstSeq <= cut + 1) {
        this.#unsynced.delete(segment);
        await segment.handle.close();
        await rm(segment.file, { force: true });
      } else {
        keep.push(segment);
      }
    }
    this.#segments = keep;
    await fsyncDir(this.#dir);
  }

  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    await this.#syncNow();
    for (const segment of this.#segments) await segment.handle.close();
  }

  #syncLater(segment: Segment): void {
    this.#unsynced.add(segment);
    this.#syncTimer ??= setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#syncNow();
    }, this.#syncIntervalMs);
    this.#syncTimer.unref();
  }

  async #syncNow(): Promise<void> {
    for (const segment of [...this.#unsynced]) {
      this.#unsynced.delete(segment);
      try {
        await segment.handle.datasync();
      } catch (err) {
        // Written data is safe from a process crash already; only power-loss safety is delayed.
        if ((err as NodeJS.ErrnoException).code !== 'EBADF') this.#log?.(`journal ${segment.file}: background fdatasync failed: ${(err as Error).message}`);
      }
    }
  }

  get #current(): Segment {
    return this.#segments[this.#segments.length - 1]!;
  }

  async #flush(): Promise<void> {
    // Group commit per event-loop turn: the write waits for the loop's check phase, so the appends of
    // every request the loop served in this turn become one write (under load, several requests' worth
    // per system call instead of one per save), and a caller looping on acknowledged appends still lets
    // the event loop turn between its writes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        // Items are in sequence order and a rotation only moves later ones to a newer segment, so the
        // groups below are consecutive runs. Each run is acknowledged once its own segment is durable:
        // if a later segment fails, the earlier run is on disk and must not be reported as failed.
        let done = 0;
        try {
          // Appends land at the end of a file: bytes a failed write left behind must go first, in any
          // segment, or a later open would find a damaged line followed by good ones.
          for (const segment of this.#segments) {
            if (!segment.dirty) continue;
            await segment.handle.truncate(segment.offset);
            segment.dirty = false;
          }
          const bySegment = new Map<Segment, Pending[]>();
          for (const item of batch) {
            const list = bySegment.get(item.segment);
            if (list) list.push(item);
            else bySegment.set(item.segment, [item]);
          }
          for (const [segment, items] of bySegment) {
            const buf = Buffer.from(items.map((i) => i.line).join(''), 'utf8');
            this.#hook?.(segment.file);
            // A synchronous append: a few KB into the page cache take microseconds, while an
            // asynchronous write costs a thread-pool round trip (over ten times the CPU, measured).
            // Durability comes from the fdatasync, which stays asynchronous.
            writeAllSync(this.#write, segment.handle.fd, buf);
            if (this.#syncIntervalMs === undefined) await segment.handle.datasync();
            else this.#syncLater(segment);
            segment.offset += buf.length;
            this.#bytesSinceRotate += buf.length;
            this.#durableSeq = items[items.length - 1]!.seq;
            done += items.length;
            for (const item of items) item.resolve();
          }
        } catch (cause) {
          await this.#fail(batch.slice(done), cause);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Rolls memory back for the failed batch and everything queued after it, and cuts any partial line. */
  async #fail(batch: Pending[], cause: unknown): Promise<void> {
    const failed = [...batch, ...this.#queue];
    this.#queue = [];
    for (let i = failed.length - 1; i >= 0; i--) failed[i]!.undo();
    for (const segment of new Set(failed.map((f) => f.segment))) {
      try {
        await segment.handle.truncate(segment.offset);
      } catch {
        // The bytes past `offset` were never acknowledged: the next flush cuts them off before writing
        // (or, after a crash, open drops them as a torn tail).
        segment.dirty = true;
      }
    }
    const first = failed[0]!.seq;
    if (this.#firstFailedSeq === 0 || first < this.#firstFailedSeq) this.#firstFailedSeq = first;
    const err = new GatewayError('ERR_STORE_UNAVAILABLE', 'the store could not save this change; nothing was changed', {
      status: 503,
      cause,
    });
    for (const item of failed) item.reject(err);
  }
}

/**
 * The entries of one segment and how many leading bytes hold them. A damaged line followed by more
 * entries is corruption; a damaged or unterminated tail is a torn write (`torn` = its line number).
 */
function parseSegment(file: string, text: string): { parsed: JournalEntry[]; goodBytes: number; torn: number } {
  const parsed: JournalEntry[] = [];
  let pos = 0;
  let goodBytes = 0;
  let lineNo = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    lineNo++;
    const line = nl === -1 ? text.slice(pos) : text.slice(pos, nl);
    let entry: JournalEntry | undefined;
    try {
      const value = JSON.parse(line);
      if (value && typeof value.s === 'number' && Array.isArray(value.o)) entry = value;
    } catch {
      entry = undefined;
    }
    if (!entry || nl === -1) {
      // Only the very end of a segment may be torn (Journal.open checks that no later one has entries).
      const rest = text.slice(nl === -1 ? text.length : nl + 1);
      const restHasEntries = rest.split('\n').some((l) => l.trim().startsWith('{"s":'));
      if (!restHasEntries) return { parsed, goodBytes, torn: lineNo };
      throw damaged(file, lineNo);
    }
    parsed.push(entry);
    pos = nl + 1;
    goodBytes += Buffer.byteLength(line) + 1;
  }
  return { parsed, goodBytes, torn: 0 };
}

function damaged(file: string, lineNo: number): GatewayError {
  return new GatewayError(
    'ERR_STORE_CORRUPT',
    `journal ${file} is damaged at line ${lineNo}; Denglu will not start on a damaged store and has not modified it. ` +
      'Restore the data directory from a backup, or move the damaged file away to discard its changes.',
    { status: 500 },
  );
}

/** The synchronous twin of writeAll, for the journal's small appends. */
function writeAllSync(write: AppendWrite, fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) {
    const bytesWritten = write(fd, data, written, data.length - written);
    if (bytesWritten === 0) throw new Error('a write made no progress');
    written += bytesWritten;
  }
}

/** FileHandle.write may write less than asked (a full disk, a signal): write the rest or throw. */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written);
    if (bytesWritten === 0) throw new Error('a write made no progress');
    written += bytesWritten;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
