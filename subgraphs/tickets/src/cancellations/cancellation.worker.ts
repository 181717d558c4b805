import { Inject, Injectable } from '@nestjs/common';
import { consumeOnce, EventCancelled, Topics, type Bus, type Unsubscribe } from '@marquee/bus';
import type { Logger } from '@marquee/subgraph-kit';
import { schema, type TicketsDatabase } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { EventDirectoryRepository } from '../event-directory/event-directory.repository.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { HolderNotifications } from '../notifications/holder-notifications.js';
import { RefundsService } from '../refunds/refunds.service.js';
import { ReservationsRepository } from '../reservations/reservations.repository.js';
import { DB, LOGGER, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { WorkerLoop } from '../worker-loop.js';
import { CancellationsRepository, type CancellationJob } from './cancellations.repository.js';

const BATCH = 20;
const RETRY_MS = 1_000;

export interface CancellationRun {
  refunded: number;
  released: number;
  finished: string[];
}

/**
 * Turns `events.event-cancelled` into a job row and one notification per ticket holder (with
 * the inbox entry, in one transaction),
 * then works the job: every CONFIRMED order refunded in its own transaction (the conditional
 * update makes each refund happen once, whoever runs the job), every HELD reservation
 * released, then the job is DONE. Jobs left PENDING by a crash resume on the next start.
 */
@Injectable()
export class CancellationWorker {
  /** Runs only after start(); a failed pass, or one that left jobs pending, is retried. */
  private readonly loop: WorkerLoop;

  constructor(
    private readonly jobs: CancellationsRepository,
    private readonly refunds: RefundsService,
    private readonly reservations: ReservationsRepository,
    private readonly inventory: InventoryRepository,
    private readonly directory: EventDirectoryRepository,
    private readonly notifications: HolderNotifications,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.loop = new WorkerLoop({
      run: () => this.runPending(),
      atStart: true,
      retryMs: RETRY_MS,
      unfinished: async () => (await this.jobs.pending()).length > 0,
      log,
      failure: 'cancellation job failed; will retry',
    });
  }

  subscribe(bus: Bus): Promise<Unsubscribe> {
    return bus.subscribe(Topics.eventCancelled, 'tickets', async (message) => {
      const parsed = EventCancelled.safeParse(message.payload);
      if (!parsed.success) {
        this.log.warn({ id: message.id }, 'ignoring malformed event-cancelled message');
        return;
      }
      const { eventId, reason } = parsed.data;
      await consumeOnce(this.database.db, schema.inbox, 'tickets.event-cancelled', message.id, async (tx) => {
        await this.directory.markCancelled(tx, eventId);
        await this.jobs.record(tx, eventId, reason);
        await this.inventory.announce(tx, [eventId]);
        // Holders are known now, before any refund: each is told once.
        await this.notifications.eventCancelled(tx, message.id, eventId, reason);
      });
      this.outbox.kick();
      this.notifications.kick();
      this.kick();
    });
  }

  /** Works pending jobs in the background from now on, starting with any left from before. */
  start() {
    this.loop.start();
  }

  kick() {
    this.loop.kick();
  }

  /** Also ends a run between two orders. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over the pending jobs; `maxOrders` bounds the refunds (tests stop half-way with it). */
  async runPending(options: { maxOrders?: number } = {}): Promise<CancellationRun> {
    const run: CancellationRun = { refunded: 0, released: 0, finished: [] };
    let budget = options.maxOrders ?? Number.POSITIVE_INFINITY;
    for (const job of await this.jobs.pending()) {
      const result = await this.work(job, budget);
      run.refunded += result.refunded;
      run.released += result.released;
      budget -= result.refunded;
      if (result.finished) run.finished.push(job.eventId);
      if (budget <= 0) break;
    }
    return run;
  }

  private async work(job: CancellationJob, budget: number) {
    const { eventId } = job;
    let refunded = 0;
    for (;;) {
      const ids = await this.jobs.confirmedOrderIds(eventId, Math.min(BATCH, budget - refunded));
      if (ids.length === 0) break;
      for (const id of ids) {
        if ((await this.refunds.refund(id, 'VOIDED')) !== undefined) {
          refunded += 1;
          await this.jobs.progress(eventId, 1, 0);
        }
      }
      if (refunded >= budget || this.loop.stopping) return { refunded, released: 0, finished: false };
    }
    let released = 0;
    for (;;) {
      const count = await inTransaction(this.database.db, async (tx) => {
        const holds = await this.reservations.lockHeldOfEvent(tx, eventId, BATCH);
        await this.inventory.releaseHolds(tx, holds, { kind: 'RELEASED', status: 'RELEASED' });
        return holds.length;
      });
      if (count === 0) break;
      released += count;
      await this.jobs.progress(eventId, 0, count);
      this.outbox.kick();
    }
    if ((await this.jobs.remaining(eventId)) > 0) return { refunded, released, finished: false };
    await inTransaction(this.database.db, async (tx) => {
      await this.jobs.finish(tx, eventId);
      await this.inventory.announce(tx, [eventId]);
    });
    this.outbox.kick();
    return { refunded, released, finished: true };
  }
}
