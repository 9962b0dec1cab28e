// Where moved documents come from: a store (export, copy) or an export file (import). Either way a
// header first (collections and counts, for the progress bar and the checks), then the documents, and
// at the end the number of documents each collection yielded (what the target must hold).

import type { CollectionSpec, Store } from '../store.ts';
import { MOVE_FORMAT, MOVE_VERSION, type MoveDocument, type MoveHeader } from './move-format.ts';

export interface MoveSource {
  readonly header: MoveHeader;
  documents(): AsyncIterable<MoveDocument>;
  /** Documents yielded per collection, once `documents()` has run to its end. */
  readonly written: Record<string, number>;
}

const PAGE = 1000;

/**
 * The live documents of a store, collection by collection in id order (expired ones are not dumped).
 * Volatile collections (sign-ins in progress) are counted and left out.
 */
export async function storeSource(store: Store, collections: readonly CollectionSpec[], now: () => number): Promise<MoveSource> {
  const kept = collections.filter((c) => c.group !== 'volatile');
  const header: MoveHeader = {
    format: MOVE_FORMAT,
    version: MOVE_VERSION,
    exportedAt: new Date(now()).toISOString(),
    source: { backend: store.info.backend, location: store.info.location },
    collections: {},
    skipped: {},
  };
  for (const c of collections) {
    (c.group === 'volatile' ? header.skipped : header.collections)[c.name] = { group: c.group, documents: await store.count(c.name) };
  }
  const written: Record<string, number> = {};
  return {
    header,
    written,
    async *documents() {
      for (const c of kept) {
        written[c.name] = 0;
        let after: string | undefined;
        for (;;) {
          const page = await store.dump(c.name, { ...(after === undefined ? {} : { after }), limit: PAGE });
          for (const d of page) {
            written[c.name]! += 1;
            yield { collection: c.name, id: d.id, value: d.value, ...(d.expiresAt === undefined ? {} : { expiresAt: d.expiresAt }) };
          }
          if (page.length < PAGE) break;
          after = page[page.length - 1]!.id;
        }
      }
    },
  };
}
