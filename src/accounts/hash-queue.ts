// How many password hashes run at once. scrypt holds a core and a libuv thread for about 100 ms, and
// those threads also do the store's file writes and DNS lookups, so unbounded parallel hashes slow every
// sign-in in the process, not just password ones. At most `concurrency` hashes run; others wait in a
// queue of at most `maxWaiting`, each for at most `maxWaitMs`. A full queue or a passed deadline refuses
// the work without running it (HashBusy), which callers answer like a lockout. Every password and
// admin-secret hash of the gateway goes through one queue. (A semaphore this small needs no dependency:
// p-limit has neither a bounded queue nor a wait deadline.)

import { GatewayError } from '../errors.ts';

export interface HashQueueOptions {
  concurrency: number;
  maxWaiting: number;
  maxWaitMs: number;
}

export class HashBusy extends GatewayError {
  constructor() {
    super('ERR_RATE_LIMITED', 'too many password checks are waiting', { status: 503 });
    this.name = 'HashBusy';
  }
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

export class HashQueue {
  readonly #o: HashQueueOptions;
  #running = 0;
  readonly #waiting: Waiter[] = [];
  /** Hashes started and refused since the gateway started (tests and the benchmark read them). */
  readonly counts = { started: 0, refused: 0 };

  constructor(options: HashQueueOptions) {
    this.#o = options;
  }

  /** Runs `work` in a slot; rejects with HashBusy, without running it, when no slot comes in time. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#slot();
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next.start();
      else this.#running -= 1;
    }
  }

  #slot(): Promise<void> {
    if (this.#running < this.#o.concurrency) {
      this.#running += 1;
      this.counts.started += 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#o.maxWaiting) {
      this.counts.refused += 1;
      return Promise.reject(new HashBusy());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          this.counts.started += 1;
          resolve();
        },
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          this.counts.refused += 1;
          reject(new HashBusy());
        }, this.#o.maxWaitMs),
      };
      this.#waiting.push(waiter);
    });
  }
}
