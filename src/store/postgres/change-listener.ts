// Hears every instance's writes: one connection per store LISTENs on the changes channel (outside the
// pool, so a busy pool never delays it) and hands each `collection:id` to the store. A lost connection
// is re-opened with a growing pause; while it is down, `onGap` lets the store treat everything as changed.

import pg from 'pg';
import { CHANGES_CHANNEL } from './document-writes.ts';

export interface ChangeListenerOptions {
  url: string;
  onChange: (collection: string, id: string) => void;
  /** Called after a reconnect: notifications may have been missed meanwhile. */
  onGap: () => void;
  log?: { warn: (msg: string) => void };
  location: string;
}

export class ChangeListener {
  readonly #options: ChangeListenerOptions;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pauseMs = 250;
  #stopped = false;
  #connected: Promise<void> | undefined;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
  }

  /** Starts listening; resolves once the first LISTEN is in place or failed (it keeps retrying then). */
  start(): Promise<void> {
    this.#connected ??= this.#connect();
    return this.#connected;
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ connectionString: this.#options.url, keepAlive: true, connectionTimeoutMillis: 5000, application_name: 'denglu-listen' });
    this.#client = client;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      client.end().catch(() => {});
      if (this.#client === client) this.#client = undefined;
      if (this.#stopped) return;
      this.#options.log?.warn(`store: change notifications from ${this.#options.location} lost (${err.message}); reconnecting`);
      this.#retry();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL || !msg.payload) return;
      const colon = msg.payload.indexOf(':');
      if (colon > 0) this.#options.onChange(msg.payload.slice(0, colon), msg.payload.slice(colon + 1));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.#stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.#pauseMs = 250;
      this.#options.onGap();
    } catch (err) {
      fail(err as Error);
    }
  }

  #retry(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, this.#pauseMs);
    this.#timer.unref();
    this.#pauseMs = Math.min(this.#pauseMs * 2, 5000);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
