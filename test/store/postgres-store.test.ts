// The PostgreSQL backend runs the same Store contract as the embedded one, on a fresh database per test
// (the machine's PostgreSQL; see test/support/postgres.ts). Durable: reopen is a new store (new pool) on
// the same database.

import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { freshDatabase, postgresAvailable } from '../support/postgres.ts';
import { CONTRACT_COLLECTIONS, describeStoreContract } from './store.contract.ts';

describe('postgres store', function () {
  before(async function () {
    if (!(await postgresAvailable())) this.skip();
  });

  describeStoreContract(
    'postgres',
    async (clock) => {
      const db = await freshDatabase('contract');
      const opened: PostgresStore[] = [];
      const open = async () => {
        const store = await PostgresStore.open({ url: db.url, clock, collections: CONTRACT_COLLECTIONS });
        opened.push(store);
        return store;
      };
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          for (const store of opened) await store.close();
          await db.drop();
        },
      };
    },
    { durable: true },
  );
});
