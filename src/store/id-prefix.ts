// Finding the documents of a collection whose ids start with a prefix, by paging the ids in order: ids are
// ASCII and sort, so every id with the prefix comes right after the prefix itself. For collections whose
// ids lead with what they belong to (an account's notice mails, its raw login events), this needs no index.

import type { Store } from './store.ts';

const PAGE = 200;

/** Ids of `collection` starting with `prefix`, in order. */
export async function idsWithPrefix(store: Store, collection: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let after = prefix;
  for (;;) {
    const page = await store.list(collection, { order: 'asc', after, limit: PAGE });
    for (const { id } of page) {
      if (!id.startsWith(prefix)) return out;
      out.push(id);
      after = id;
    }
    if (page.length < PAGE) return out;
  }
}

/** Deletes the documents of `collection` whose ids start with `prefix`, a batch per page; resolves to how many were live. */
export async function deleteWithPrefix(store: Store, collection: string, prefix: string): Promise<number> {
  const ids = await idsWithPrefix(store, collection, prefix);
  for (let i = 0; i < ids.length; i += PAGE) await store.batch(ids.slice(i, i + PAGE).map((id) => ({ op: 'delete' as const, collection, id })));
  return ids.length;
}
