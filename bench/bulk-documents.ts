// Seeding a fresh PostgreSQL bench database with many documents of a collection without index keys (the
// impact bench's 10,000,000 raw login events): straight into the store's documents table, ROWS documents
// per INSERT … SELECT from one JSON parameter (json_to_recordset; each document's text is JSON.stringify's,
// as the store writes it), each statement's rows in id order so the primary key is appended to rather
// than split at random. It skips what Store.load does for an import into a live database — deleting
// expired holders, the conflict check — so it is for an empty collection only: an id already there is a
// primary-key violation. About twice as fast as Store.load's text arrays (JSON escaped inside an array
// literal) on this machine. Its own connection, without the store's statement timeout.

import pg from 'pg';
import { COLLECTIONS } from '../src/store/collections.ts';
import type { DumpedDocument } from '../src/store/store.ts';

const ROWS = 10_000;

const INSERT = `INSERT INTO documents (collection, id, doc, expires_at)
  SELECT $1, r.id, r.doc, r.expires_at FROM json_to_recordset($2::json) AS r(id text, doc json, expires_at bigint)`;

export class BulkDocuments {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async connect(url: string): Promise<BulkDocuments> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new BulkDocuments(client);
  }

  /** Inserts the documents (none of whose ids may exist yet) in statements of ROWS, in id order. */
  async insert(collection: string, documents: readonly DumpedDocument[]): Promise<void> {
    if (COLLECTIONS.find((c) => c.name === collection)?.indexes) throw new TypeError(`"${collection}" has indexes: bulk-insert only collections without`);
    const sorted = [...documents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 0; i < sorted.length; i += ROWS) {
      const rows = sorted.slice(i, i + ROWS).map((d) => ({ id: d.id, doc: d.value, expires_at: d.expiresAt ?? null }));
      await this.#client.query({ text: INSERT, values: [collection, JSON.stringify(rows)] });
    }
  }

  close(): Promise<void> {
    return this.#client.end();
  }
}
