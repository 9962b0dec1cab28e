// A store named on the command line: a PostgreSQL URL (postgres:// or postgresql://) or an embedded
// data directory. A source directory must exist (opening one creates nothing then); the embedded
// store's directory lock refuses a directory a running gateway holds. Anything that looks like a URL
// (a scheme and a slash) but is not a usable PostgreSQL URL is refused: it must not become a data
// directory named after it (with the password in its name) and report success.

import { stat } from 'node:fs/promises';
import { databaseUrlProblem } from '../../../config/load-config.ts';
import type { Clock } from '../../clock.ts';
import { GatewayError } from '../../errors.ts';
import { COLLECTIONS } from '../collections.ts';
import { createStore } from '../create-store.ts';
import { redactUrl } from '../postgres/database.ts';
import type { Store } from '../store.ts';
import { MoveRefusedError } from './load-target.ts';

export const isDatabaseUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** The location without a password, for messages. */
export function redactLocation(location: string): string {
  return isDatabaseUrl(location) ? redactUrl(location) : location;
}

const URL_LIKE = /^([a-z][a-z0-9+.-]*):\//i;

export async function openLocation(location: string, role: 'source' | 'target', clock: Clock): Promise<Store> {
  const scheme = URL_LIKE.exec(location)?.[1];
  if (scheme !== undefined && (!isDatabaseUrl(location) || databaseUrlProblem(location) !== undefined)) {
    throw new MoveRefusedError(
      `the ${role} ${scheme}:… is neither a data directory nor a usable PostgreSQL URL: a URL starts with postgres:// or postgresql:// and names the host and the database, e.g. postgres://denglu:PASSWORD@db.example:5432/denglu. Nothing was changed.`,
    );
  }
  if (!isDatabaseUrl(location) && role === 'source') {
    const info = await stat(location).catch(() => undefined);
    if (!info?.isDirectory()) throw new MoveRefusedError(`no data directory at ${location}`);
  }
  let store: Store;
  try {
    store = await createStore({
      dataDir: isDatabaseUrl(location) ? '' : location,
      databaseUrl: isDatabaseUrl(location) ? location : undefined,
      clock,
      collections: COLLECTIONS,
    });
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_STORE_LOCKED') {
      throw new MoveRefusedError(`${err.message} A gateway running on an embedded data directory holds it: stop the gateway, then run this again.`);
    }
    throw new MoveRefusedError(`cannot open ${redactLocation(location)}: ${(err as Error).message}`);
  }
  if (isDatabaseUrl(location) !== (store.info.backend === 'postgres')) {
    await store.close();
    throw new MoveRefusedError(`${redactLocation(location)} did not open as ${isDatabaseUrl(location) ? 'a PostgreSQL' : 'an embedded'} store`);
  }
  return store;
}
