// The portable export file of `denglu store export` / `store import`: NDJSON, one JSON object a line.
// The first line is a header (format name and version, source backend, when, and per collection its
// group and the documents counted when the export began), then one line per document (collection, id,
// value, expiresAt when it expires), grouped by collection, and last a trailer with the number of
// documents written per collection. A file without its trailer was cut short and is refused.

import type { DumpedDocument, StoreInfo } from '../store.ts';

export const MOVE_FORMAT = 'denglu-store-export';
export const MOVE_VERSION = 1;

export interface MoveHeader {
  format: typeof MOVE_FORMAT;
  version: number;
  /** ISO 8601 instant the export began. */
  exportedAt: string;
  source: { backend: StoreInfo['backend']; location: string };
  /** Collections in the file, with the documents counted when the export began (the progress total). */
  collections: Record<string, { group: string; documents: number }>;
  /** Volatile collections left out (sign-ins in progress restart), with how many were live. */
  skipped: Record<string, { group: string; documents: number }>;
}

export interface MoveDocument extends DumpedDocument {
  collection: string;
}

export interface MoveTrailer {
  end: true;
  /** Documents written per collection: what the target must hold afterwards. */
  documents: Record<string, number>;
}

export function headerLine(header: MoveHeader): string {
  return JSON.stringify(header);
}

export function documentLine(doc: MoveDocument): string {
  return JSON.stringify({ collection: doc.collection, id: doc.id, value: doc.value, ...(doc.expiresAt === undefined ? {} : { expiresAt: doc.expiresAt }) });
}

export function trailerLine(trailer: MoveTrailer): string {
  return JSON.stringify(trailer);
}

/** A problem with the file: which line and what is wrong. Nothing was changed when it is thrown. */
export class MoveFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveFileError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(line: string, lineNo: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new MoveFileError(`line ${lineNo} is not JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw new MoveFileError(`line ${lineNo} is not a JSON object`);
  return value;
}

export function parseHeader(line: string | undefined): MoveHeader {
  if (line === undefined) throw new MoveFileError('the file is empty');
  let h: Record<string, unknown>;
  try {
    h = parse(line, 1);
  } catch {
    throw new MoveFileError(`not a Denglu export: the first line is not a ${MOVE_FORMAT} header`);
  }
  if (h.format !== MOVE_FORMAT) throw new MoveFileError(`not a Denglu export: the first line is not a ${MOVE_FORMAT} header`);
  if (h.version !== MOVE_VERSION) {
    throw new MoveFileError(`export format version ${JSON.stringify(h.version)} is not one this Denglu reads (it reads version ${MOVE_VERSION})`);
  }
  if (!isObject(h.collections) || !isObject(h.source)) throw new MoveFileError('the header lacks its source or collections');
  return { ...h, skipped: isObject(h.skipped) ? h.skipped : {} } as unknown as MoveHeader;
}

/** A document line or the trailer; anything else is refused with its line number. */
export function parseBody(line: string, lineNo: number): MoveDocument | MoveTrailer {
  const v = parse(line, lineNo);
  if (v.end === true) {
    if (!isObject(v.documents) || !Object.values(v.documents).every((n) => Number.isSafeInteger(n))) {
      throw new MoveFileError(`line ${lineNo}: the trailer lacks its document counts`);
    }
    return v as unknown as MoveTrailer;
  }
  if (typeof v.collection !== 'string' || typeof v.id !== 'string' || v.id === '' || !('value' in v)) {
    throw new MoveFileError(`line ${lineNo}: a document line needs collection, id and value`);
  }
  if (v.expiresAt !== undefined && !Number.isSafeInteger(v.expiresAt)) throw new MoveFileError(`line ${lineNo}: expiresAt must be epoch milliseconds`);
  return v as unknown as MoveDocument;
}
