import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@marquee/subgraph-kit';
import type { TicketsDatabase } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { CONFIG, DB, LOGGER, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import type { TicketsEnv } from '../env.js';
import { TicketsMetrics } from '../metrics.js';
import { WorkerLoop } from '../worker-loop.js';
import { ReservationsRepository } from './reservations.repository.js';

const BATCH = 100;

/**
 * Releases expired holds every SWEEP_INTERVAL_MS. Reads never depended on it (expired holds
 * do not count anywhere); it makes the counters catch up and tells live views. Batches are
 * locked with SKIP LOCKED, so replicas sweep side by side without waiting on each other.
 */
@Injectable()
export class SweepWorker {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly inventory: InventoryRepository,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(CONFIG) env: TicketsEnv,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
    @Inject(LOGGER) log: Logger,
    private readonly metrics: TicketsMetrics,
  ) {
    this.loop = new WorkerLoop({
      run: () => this.sweepOnce(),
      everyMs: env.SWEEP_INTERVAL_MS,
      log,
      failure: 'sweeping expired holds failed',
    });
  }

  start() {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Expires every hold that has run out; returns how many. */
  async sweepOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await inTransaction(this.database.db, async (tx) => {
        const holds = await this.reservations.lockStaleBatch(tx, BATCH);
        await this.inventory.releaseHolds(tx, holds, { kind: 'EXPIRED', status: 'EXPIRED' });
        return holds.length;
      });
      total += count;
      this.metrics.expired(count);
      if (count > 0) this.outbox.kick();
      if (count < BATCH) return total;
    }
  }
}
