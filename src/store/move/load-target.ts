// Loading moved documents into a target store: only into an empty one (refused otherwise, nothing
// changed), in chunks through `store.load` (all or none per chunk; COPY on PostgreSQL), skipping
// documents that expired since the export, then comparing per collection what the target holds with
// what the source wrote.

import type { CollectionSpec, DumpedDocument, Store } from '../store.ts';
import type { MoveDocument } from './move-format.ts';
import type { MoveSource } from './move-source.ts';

/** The target is not empty, or the load stopped; `message` says what to do. */
export class MoveRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveRefusedError';
  }
}

/** Refuses a target holding any kept data (accounts, partners, managers, secrets, audit, sessions …). */
export async function assertEmptyTarget(target: Store, collections: readonly CollectionSpec[]): Promise<void> {
  const held: string[] = [];
  for (const c of collections) {
    if (c.group === 'volatile') continue;
    const n = await target.count(c.name);
    if (n > 0) held.push(`${c.name} ${n.toLocaleString('en')}`);
  }
  if (held.length) {
    throw new MoveRefusedError(
      `the target ${target.info.location} already holds data (${held.join(', ')}): nothing was imported. ` +
        'Import only into an empty store: a new DATA_DIR, or a new database.',
    );
  }
}

export interface CollectionResult {
  collection: string;
  /** Documents the source wrote. */
  source: number;
  /** Of those, expired between export and import (not loaded). */
  expired: number;
  /** Documents the target holds afterwards. */
  target: number;
  /** What it should hold: loaded and still live at the check. */
  expected: number;
}

const CHUNK_DOCUMENTS = 1000;

/**
 * Loads every document of the source into the (empty) target, then counts. `onDocument` is told about
 * each document read (loaded or skipped) for the progress bar.
 */
export async function loadIntoTarget(
  target: Store,
  source: MoveSource,
  now: () => number,
  onDocument: (doc: MoveDocument) => void,
): Promise<CollectionResult[]> {
  const expiries = new Map<string, { loaded: number; expiresAt: number[]; expired: number }>();
  let chunk: DumpedDocument[] = [];
  let chunkOf: string | undefined;
  const flush = async () => {
    if (!chunk.length) return;
    const done = expiries.get(chunkOf!)!;
    try {
      await target.load(chunkOf!, chunk);
    } catch (err) {
      throw new MoveRefusedError(
        `loading ${chunkOf} stopped after ${done.loaded.toLocaleString('en')} documents: ${(err as Error).message}. ` +
          'The target holds a partial import: empty it (a new DATA_DIR or database) before trying again.',
      );
    }
    done.loaded += chunk.length;
    chunk = [];
  };
  for await (const doc of source.documents()) {
    if (doc.collection !== chunkOf) {
      await flush();
      chunkOf = doc.collection;
    }
    const seen = expiries.get(doc.collection) ?? { loaded: 0, expiresAt: [], expired: 0 };
    expiries.set(doc.collection, seen);
    onDocument(doc);
    if (doc.expiresAt !== undefined) {
      if (doc.expiresAt <= now()) {
        seen.expired++;
        continue;
      }
      seen.expiresAt.push(doc.expiresAt);
    }
    chunk.push({ id: doc.id, value: doc.value, ...(doc.expiresAt === undefined ? {} : { expiresAt: doc.expiresAt }) });
    if (chunk.length >= CHUNK_DOCUMENTS) await flush();
  }
  await flush();
  return compareCounts(target, source, expiries, now);
}

async function compareCounts(
  target: Store,
  source: MoveSource,
  loaded: Map<string, { loaded: number; expiresAt: number[]; expired: number }>,
  now: () => number,
): Promise<CollectionResult[]> {
  const results: CollectionResult[] = [];
  for (const collection of Object.keys(source.header.collections)) {
    const seen = loaded.get(collection) ?? { loaded: 0, expiresAt: [], expired: 0 };
    const at = now();
    const expiredSince = seen.expiresAt.filter((e) => e <= at).length;
    results.push({
      collection,
      source: source.written[collection] ?? 0,
      expired: seen.expired + expiredSince,
      target: await target.count(collection),
      expected: seen.loaded - expiredSince,
    });
  }
  return results;
}
