import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@marquee/subgraph-kit';
import type { TicketsEnv } from '../env.js';
import { CONFIG, LOGGER } from '../tokens.js';
import { WorkerLoop } from '../worker-loop.js';
import { CheckoutSaga } from './checkout-saga.js';
import { CheckoutRepository } from './checkout.repository.js';

const BATCH = 50;

export interface RecoveryRun {
  confirmed: number;
  failed: number;
  settled: number;
  /** Claimed, but finished or held by another replica by the time it came up. */
  skipped: number;
  errors: number;
}

/**
 * Finishes checkouts a crash, a deploy or a provider outage left half-way, on start and every
 * RECOVERY_INTERVAL_MS: orders still PENDING, charges on FAILED or REFUNDED orders not given
 * back yet, and UNKNOWN payment outcomes. Only orders untouched for CHECKOUT_RECOVERY_AFTER_MS
 * (longer than any live payment may take) are picked, claimed so replicas split the work.
 * The outcome is always a CONFIRMED order with tickets, or a FAILED one with nothing charged.
 */
@Injectable()
export class RecoveryWorker {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly repository: CheckoutRepository,
    private readonly saga: CheckoutSaga,
    @Inject(CONFIG) private readonly env: TicketsEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.loop = new WorkerLoop({
      run: () => this.recoverOnce(),
      everyMs: env.RECOVERY_INTERVAL_MS,
      atStart: true,
      log,
      failure: 'checkout recovery failed; will retry',
    });
  }

  start() {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every open saga old enough to be abandoned. */
  async recoverOnce(): Promise<RecoveryRun> {
    const run: RecoveryRun = { confirmed: 0, failed: 0, settled: 0, skipped: 0, errors: 0 };
    for (;;) {
      const orders = await this.repository.claimOpenSagas(BATCH, this.env.CHECKOUT_RECOVERY_AFTER_MS);
      for (const order of orders) {
        try {
          // A claim is a lease; the lock makes the work exclusive even if the lease runs out.
          const outcome = await this.repository.exclusively(order.id, (current) =>
            this.saga.recover(current),
          );
          run[outcome ?? 'skipped'] += 1;
        } catch (error) {
          // Left open (and claimed for a while): the next pass tries again.
          run.errors += 1;
          this.log.warn({ orderId: order.id, err: String(error) }, 'could not recover a checkout yet');
        }
      }
      if (orders.length < BATCH) break;
    }
    if (run.confirmed + run.failed + run.settled > 0)
      this.log.info({ ...run }, 'recovered interrupted checkouts');
    return run;
  }
}
