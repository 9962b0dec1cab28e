// One process per data directory. The lock file holds the owner's pid; a lock left by a process that
// no longer exists is taken over, a live owner makes the second process refuse to start.

import { link, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../errors.ts';

export interface DirLock {
  release(): Promise<void>;
}

export async function lockDirectory(dir: string): Promise<DirLock> {
  const file = join(dir, 'denglu.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    // Write the complete owner record first, then link it into place: link() fails if the lock exists,
    // and nobody can ever observe a half-written lock file.
    const draft = `${file}.${process.pid}.tmp`;
    const handle = await open(draft, 'w');
    await handle.write(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + '\n');
    await handle.sync();
    await handle.close();
    try {
      await link(draft, file);
      return { release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = await readOwner(file);
      if (owner && owner.host === hostname() && isAlive(owner.pid)) {
        throw new GatewayError(
          'ERR_STORE_LOCKED',
          `the data directory ${dir} is in use by process ${owner.pid} (since ${owner.since}). ` +
            'Stop that process first, or give this one another DATA_DIR.',
        );
      }
      if (owner && owner.host !== hostname()) {
        throw new GatewayError(
          'ERR_STORE_LOCKED',
          `the data directory ${dir} is locked by host ${owner.host} (pid ${owner.pid}). ` + `If that host is gone, delete ${file} by hand.`,
        );
      }
      await rm(file, { force: true }); // stale: its owner is gone
    } finally {
      await rm(draft, { force: true });
    }
  }
  throw new GatewayError('ERR_STORE_LOCKED', `could not lock the data directory ${dir}`);
}

async function readOwner(file: string): Promise<{ pid: number; host: string; since: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed?.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
