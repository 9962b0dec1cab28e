// The three moves of `denglu store`: export a store to a file, import a file into an empty store, and
// copy one store into another directly. Each returns what it did for the summary; a refusal
// (MoveRefusedError, MoveFileError) leaves the target unchanged, except a load that fails midway,
// which says so.

import type { Clock } from '../../clock.ts';
import { COLLECTIONS } from '../collections.ts';
import type { CollectionSpec } from '../store.ts';
import { readExportFile, writeExportFile } from './export-file.ts';
import { assertEmptyTarget, type CollectionResult, loadIntoTarget } from './load-target.ts';
import type { MoveDocument, MoveHeader } from './move-format.ts';
import { storeSource } from './move-source.ts';
import { openLocation } from './open-location.ts';

/** What a move reports while it runs (a progress bar on the command line). */
export interface MoveProgress {
  phase(label: string, total: number): void;
  advance(done: number): void;
  finish(): void;
}

export const SILENT: MoveProgress = { phase() {}, advance() {}, finish() {} };

export interface MoveOptions {
  clock: Clock;
  progress?: MoveProgress;
  collections?: readonly CollectionSpec[];
}

export interface ExportReport {
  header: MoveHeader;
  written: Record<string, number>;
}

export interface ImportReport {
  header: MoveHeader;
  results: CollectionResult[];
  /** Collections whose count in the target differs from what was loaded and is still live. */
  mismatches: CollectionResult[];
}

const total = (counts: Record<string, { documents: number }>) => Object.values(counts).reduce((n, c) => n + c.documents, 0);

function counter(progress: MoveProgress): (doc: MoveDocument) => void {
  let done = 0;
  return () => {
    if (++done % 500 === 0) progress.advance(done);
  };
}

export async function exportStore(from: string, file: string, options: MoveOptions): Promise<ExportReport> {
  const progress = options.progress ?? SILENT;
  const store = await openLocation(from, 'source', options.clock);
  try {
    const source = await storeSource(store, options.collections ?? COLLECTIONS, () => options.clock.now());
    progress.phase(`exporting to ${file}`, total(source.header.collections));
    const written = await writeExportFile(file, source, counter(progress));
    progress.finish();
    return { header: source.header, written };
  } finally {
    await store.close();
  }
}

function report(header: MoveHeader, results: CollectionResult[]): ImportReport {
  return { header, results, mismatches: results.filter((r) => r.target !== r.expected || r.source !== r.expected + r.expired) };
}

export async function importStore(file: string, to: string, options: MoveOptions): Promise<ImportReport> {
  const progress = options.progress ?? SILENT;
  const collections = options.collections ?? COLLECTIONS;
  progress.phase(`checking ${file}`, 0);
  const source = await readExportFile(file, collections, (n) => progress.advance(n));
  progress.finish();
  const target = await openLocation(to, 'target', options.clock);
  try {
    await assertEmptyTarget(target, collections);
    progress.phase(
      `importing into ${target.info.location}`,
      Object.values(source.written).reduce((a, b) => a + b, 0),
    );
    const results = await loadIntoTarget(target, source, () => options.clock.now(), counter(progress));
    progress.finish();
    return report(source.header, results);
  } finally {
    await target.close();
  }
}

export async function copyStore(from: string, to: string, options: MoveOptions): Promise<ImportReport> {
  const progress = options.progress ?? SILENT;
  const collections = options.collections ?? COLLECTIONS;
  const source = await openLocation(from, 'source', options.clock);
  try {
    const target = await openLocation(to, 'target', options.clock);
    try {
      await assertEmptyTarget(target, collections);
      const documents = await storeSource(source, collections, () => options.clock.now());
      progress.phase(`copying into ${target.info.location}`, total(documents.header.collections));
      const results = await loadIntoTarget(target, documents, () => options.clock.now(), counter(progress));
      progress.finish();
      return report(documents.header, results);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
