import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@marquee/subgraph-kit';
import type { TicketsEnv } from '../env.js';
import { CONFIG, LOGGER, NOTIFIER } from '../tokens.js';
import { WorkerLoop } from '../worker-loop.js';
import { NotificationsRepository, type QueuedNotification } from './notifications.repository.js';
import type { Notification, Notifier } from './notifier.js';

const BATCH = 50;
/** A claimed notification is someone's for this long (a slow SMTP server included). */
const LEASE_MS = 5 * 60_000;
/** 5 s, 10 s, 20 s... at most an hour between attempts. */
const backoff = (attempts: number) => Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1));

const toNotification = (row: QueuedNotification): Notification => ({
  id: row.id,
  kind: row.kind,
  userId: row.userId,
  eventId: row.eventId,
  subject: row.subject,
  body: row.body,
});

export interface DispatchRun {
  sent: number;
  failed: number;
}

/**
 * Drains the notification outbox through the Notifier port: woken right after new
 * notifications commit, and every NOTIFY_INTERVAL_MS for retries. Claims are leased, so
 * replicas share the work; a failed send is retried with exponential backoff.
 */
@Injectable()
export class DispatchWorker {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly repository: NotificationsRepository,
    @Inject(NOTIFIER) private readonly notifier: Notifier,
    @Inject(CONFIG) env: TicketsEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.loop = new WorkerLoop({
      run: () => this.dispatchOnce(),
      everyMs: env.NOTIFY_INTERVAL_MS,
      atStart: true,
      log,
      failure: 'dispatching notifications failed',
    });
  }

  start() {
    this.loop.start();
  }

  /** Ask for a prompt run (no-op unless started). */
  kick() {
    this.loop.kick();
  }

  async stop() {
    await this.loop.stop();
    await this.notifier.close?.();
  }

  /** Sends everything due now; returns how many went out and how many failed. */
  async dispatchOnce(): Promise<DispatchRun> {
    const run: DispatchRun = { sent: 0, failed: 0 };
    for (;;) {
      const batch = await this.repository.claimDue(BATCH, LEASE_MS);
      for (const row of batch) {
        try {
          await this.notifier.send(toNotification(row));
          await this.repository.markSent(row.id);
          run.sent += 1;
        } catch (error) {
          run.failed += 1;
          await this.repository.markFailed(row.id, String(error), backoff(row.attempts));
          this.log.warn(
            { id: row.id, attempts: row.attempts, err: String(error) },
            'notification not delivered',
          );
        }
      }
      if (batch.length < BATCH) return run;
    }
  }
}
