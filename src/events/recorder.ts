// Records sign-in attempts without touching a login's request path: `record` only appends to an
// in-memory buffer (synchronous, never throws, never waits on the store). A timer flushes the buffer every
// FLUSH_EVERY_MS, or sooner once BATCH_SIZE events wait, writing per batch:
//   - the raw events (`login_events`), in ONE multi-document write (store.load), each expiring after the
//     retention — only when raw events are kept (a shared backend, or configured): the embedded store holds
//     everything in memory, where months of raw events do not fit. An event naming an account has an id
//     that leads with it, so deleting the account finds its events without an index (forget-account.ts);
//   - per (partner, day) counts by method and outcome, with the day notes — links, unlinks, upstream
//     times — folded in (`login_days`, src/events/login-days.ts); a day is a date in the shop's time zone,
//     read from the partner at each flush (one read per shop in the batch; a shop not found counts in UTC);
//   - per (partner, account) method use (`shop_usage`, src/events/shop-usage.ts), what the impact report reads;
//     a summary that has no ways yet, or whose events say they may have changed, gets the account's ways
//     (src/events/shop-ways.ts) read afresh — a returning shopper's summary costs no read of the account.
//     When that read finds the account gone (deleted while its sign-in waited in the buffer), the summary
//     just written and the account's raw events are deleted again (forget-account.ts).
// Each summary collection is written with Store.upsertMany, UPSERT_BATCH documents per call (store/upsert.ts):
// a few statements per flush on PostgreSQL however many shops and accounts it touches, not a transaction
// per summary. Only the ways refresh reads an account per account (returning shoppers need none).
// Both summaries expire after the retention since their last write, so the cluster-once expiry sweep
// (src/jobs/cluster-job.ts → store.sweepExpired) removes them like the raw events.
// What can be lost: a crash (or kill -9) loses the events still in the buffer — at most the last
// FLUSH_EVERY_MS of sign-ins, or up to MAX_BUFFERED when the store is slow; a failed write loses that
// batch (logged with its size; never retried, so memory stays bounded). `close()` flushes at shutdown.
// Events past MAX_BUFFERED are dropped and counted rather than grow memory.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { DumpedDocument, Store, UpsertItem } from '../store/store.ts';
import { upsertInBatches } from '../store/upsert.ts';
import { getPartner } from '../partners/partners.ts';
import { forgetLoginEvents, LOGIN_EVENTS_COLLECTION, rawEventPrefix } from './forget-account.ts';
import { DAY_MS, type DayNote, type LoginEvent, localDayOf } from './login-event.ts';
import { LOGIN_DAYS_COLLECTION, type LoginDay, loginDayId, mergeDay } from './login-days.ts';
import { SHOP_USAGE_COLLECTION, type ShopUsage, mergeUsage, shopUsageId } from './shop-usage.ts';
import { inParallel } from './in-parallel.ts';
import { refreshManyShopWays, waysMayHaveChanged } from './shop-ways.ts';

export const DEFAULT_RETENTION_DAYS = 400;
const FLUSH_EVERY_MS = 500;
const BATCH_SIZE = 500;
const MAX_BUFFERED = 50_000;
/** Shop reads in flight at once during a flush (partners are cached: usually none reaches the store). */
const PARALLEL_READS = 4;

export interface RecorderOptions {
  store: Store;
  clock: Clock;
  log: Pick<Logger, 'warn'>;
  retentionDays?: number;
  /** Keep raw events (default: only on a shared backend). */
  keepRaw?: boolean;
}

export interface LoginEvents {
  record(event: LoginEvent): void;
  /** A link, an unlink or an upstream time for the per-day summary only (buffered like `record`). */
  note(note: DayNote): void;
}

export class LoginEventRecorder implements LoginEvents {
  private buffer: (LoginEvent | DayNote)[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly retentionMs: number;
  readonly keepRaw: boolean;
  /** Events dropped because the buffer was full or their batch failed to write. */
  dropped = 0;

  private readonly o: RecorderOptions;

  constructor(o: RecorderOptions) {
    this.o = o;
    this.retentionMs = (o.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
    this.keepRaw = o.keepRaw ?? o.store.info.shared;
  }

  record(event: LoginEvent): void {
    this.push(event);
  }

  note(note: DayNote): void {
    this.push(note);
  }

  private push(event: LoginEvent | DayNote): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= BATCH_SIZE) void this.flush();
  }

  /** Starts the periodic flush (unref'd: it never keeps the process alive). */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Writes what is buffered; resolves when this and any flush in progress are done. Never rejects. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(all: (LoginEvent | DayNote)[]): Promise<void> {
    const batch = all.filter((e): e is LoginEvent => !('kind' in e));
    const part = async (what: string, fn: () => Promise<void>, lost: number): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.dropped += lost;
        this.o.log.warn({ err: { message: (err as Error).message }, events: lost, part: what }, 'login events not written');
      }
    };
    if (this.keepRaw)
      await part(
        'raw',
        () =>
          this.o.store.load(
            LOGIN_EVENTS_COLLECTION,
            batch.map((e) => this.rawDocument(e)),
          ),
        batch.length,
      );
    await part('days', () => this.writeDays(all), 0);
    await part('usage', () => this.writeUsage(batch), 0);
  }

  private rawDocument(e: LoginEvent): DumpedDocument {
    // Ids lead with the account when there is one (its events are found by prefix), then sort by time;
    // random enough never to collide within a batch.
    const id = `${e.account ? rawEventPrefix(e.account) : ''}${e.at.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
    return { id, value: e, expiresAt: e.at + this.retentionMs };
  }

  private async writeDays(batch: readonly (LoginEvent | DayNote)[]): Promise<void> {
    const zones = await this.zonesOf(new Set(batch.map((e) => e.partner)));
    const groups = groupBy(batch, (e) => loginDayId(e.partner, localDayOf(e.at, zones.get(e.partner)!)));
    const items = [...groups.entries()].map(([id, events]): UpsertItem<LoginDay> => {
      const { partner, at } = events[0]!;
      const zone = zones.get(partner)!;
      const day = localDayOf(at, zone);
      return { id, fn: (c) => mergeDay(c, partner, day, zone, events), options: { expiresAt: (day + 1) * DAY_MS + this.retentionMs } };
    });
    await upsertInBatches(this.o.store, LOGIN_DAYS_COLLECTION, items);
  }

  /** Each shop's time zone now; UTC for a shop not (or no longer) in the store. */
  private async zonesOf(partners: ReadonlySet<string>): Promise<Map<string, string>> {
    const zones = new Map<string, string>();
    await inParallel([...partners], PARALLEL_READS, async (id) => {
      zones.set(id, (await getPartner(this.o.store, id))?.timeZone ?? 'UTC');
    });
    return zones;
  }

  private async writeUsage(batch: readonly LoginEvent[]): Promise<void> {
    const successes = batch.filter((e) => e.outcome === 'success' && e.account !== undefined);
    const groups = groupBy(successes, (e) => shopUsageId(e.partner, e.account!));
    /** Summary id → whether its events say its ways may have changed (the last run of its fn decides). */
    const stale = new Map<string, boolean>();
    const items = [...groups.entries()].map(([id, events]): UpsertItem<ShopUsage> => {
      const { partner, account } = events[0]!;
      const fn = (c: ShopUsage | undefined): ShopUsage => {
        const next = mergeUsage(c, partner, account!, events);
        stale.set(id, waysMayHaveChanged(next, events));
        return next;
      };
      return { id, fn, options: { expiresAt: latest(events) + this.retentionMs } };
    });
    await upsertInBatches(this.o.store, SHOP_USAGE_COLLECTION, items);
    const refresh = new Map<string, string[]>();
    for (const [id, events] of groups) {
      if (!stale.get(id)) continue;
      const { partner, account } = events[0]!;
      refresh.set(account!, [...(refresh.get(account!) ?? []), partner]);
    }
    for (const { account, partners } of await refreshManyShopWays(this.o.store, refresh)) await forgetLoginEvents(this.o.store, account, partners);
  }
}

/** A recorder that keeps nothing (tests and tools that build a login context without one). */
export const noLoginEvents: LoginEvents = { record: () => undefined, note: () => undefined };

function latest(events: readonly LoginEvent[]): number {
  return events.reduce((m, e) => Math.max(m, e.at), 0);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
