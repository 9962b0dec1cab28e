// Writing and reading the export file. Writing goes to `<file>.partial` and is renamed into place only
// once complete, so a file under the given name is always whole; an existing file is never overwritten.
// The file is its owner's only (mode 600): it holds the signing keys, the pairwise salt and personal data.
// A name ending in .gz is gzip-compressed. Reading checks the whole file first (header, every line,
// the trailer and its counts) so that a damaged file is refused before anything is imported.

import { createReadStream, createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { CollectionSpec } from '../store.ts';
import { documentLine, headerLine, MoveFileError, type MoveDocument, type MoveHeader, parseBody, parseHeader, trailerLine } from './move-format.ts';
import type { MoveSource } from './move-source.ts';

const gzipped = (file: string) => file.endsWith('.gz');

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Writes the source to `file`; refuses an existing file. Returns the documents written per collection. */
export async function writeExportFile(file: string, source: MoveSource, onDocument: (doc: MoveDocument) => void): Promise<Record<string, number>> {
  if (await exists(file)) throw new MoveFileError(`${file} already exists: choose another name or remove it first`);
  const partial = `${file}.partial`;
  async function* lines() {
    yield `${headerLine(source.header)}\n`;
    let chunk = '';
    for await (const doc of source.documents()) {
      chunk += `${documentLine(doc)}\n`;
      onDocument(doc);
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}${trailerLine({ end: true, documents: source.written })}\n`;
  }
  try {
    const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 }); // keys, salt, personal data: owner only
    await (gzipped(file) ? pipeline(Readable.from(lines()), createGzip(), out) : pipeline(Readable.from(lines()), out));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return source.written;
}

async function* fileLines(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file);
  const input = gzipped(file) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) if (line !== '') yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

/**
 * Checks the whole file and returns it as a source. Refused (MoveFileError, nothing changed): not an
 * export, a newer format, a line that is not a document, a collection this Denglu does not keep or a
 * volatile one, documents of one collection not together, a missing trailer (a cut-short file) or
 * counts that disagree with the lines.
 */
export async function readExportFile(file: string, collections: readonly CollectionSpec[], onLine: (lines: number) => void): Promise<MoveSource> {
  if (!(await exists(file))) throw new MoveFileError(`no file ${file}`);
  let header: MoveHeader | undefined;
  let trailer: Record<string, number> | undefined;
  const counted: Record<string, number> = {};
  const known = new Map(collections.map((c) => [c.name, c]));
  let lineNo = 0;
  let current: string | undefined;
  try {
    for await (const line of fileLines(file)) {
      lineNo++;
      if (lineNo === 1) {
        header = parseHeader(line);
        for (const name of Object.keys(header.collections)) {
          const spec = known.get(name);
          if (!spec) throw new MoveFileError(`the file holds collection "${name}", which this Denglu does not keep (an export of a newer version?)`);
          if (spec.group === 'volatile') throw new MoveFileError(`the file holds collection "${name}" (sign-ins in progress), which is never moved`);
        }
        continue;
      }
      if (trailer) throw new MoveFileError(`line ${lineNo}: text after the last line (the trailer)`);
      const entry = parseBody(line, lineNo);
      if ('end' in entry) {
        trailer = entry.documents;
        continue;
      }
      if (!(entry.collection in header!.collections)) throw new MoveFileError(`line ${lineNo}: collection "${entry.collection}" is not in the header`);
      if (entry.collection !== current) {
        if (counted[entry.collection] !== undefined) throw new MoveFileError(`line ${lineNo}: the documents of "${entry.collection}" are not together`);
        current = entry.collection;
        counted[current] = 0;
      }
      counted[current]! += 1;
      if (lineNo % 1000 === 0) onLine(lineNo);
    }
  } catch (err) {
    if (err instanceof MoveFileError) throw new MoveFileError(`${file}: ${err.message}`);
    throw new MoveFileError(`${file} cannot be read: ${(err as Error).message}`);
  }
  onLine(lineNo);
  if (!header) throw new MoveFileError(`${file} is empty`);
  if (!trailer) throw new MoveFileError(`${file} ends before its last line: the export was cut short (copy it again)`);
  for (const name of new Set([...Object.keys(trailer), ...Object.keys(counted)])) {
    if ((trailer[name] ?? 0) !== (counted[name] ?? 0)) {
      throw new MoveFileError(`${file}: the last line says ${trailer[name] ?? 0} documents of "${name}", the file holds ${counted[name] ?? 0}`);
    }
  }
  const written = trailer;
  return {
    header,
    written,
    async *documents() {
      let n = 0;
      for await (const line of fileLines(file)) {
        if (n++ === 0) continue;
        const entry = parseBody(line, n);
        if (!('end' in entry)) yield entry;
      }
    },
  };
}
