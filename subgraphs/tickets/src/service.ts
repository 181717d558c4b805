import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { Gauge } from 'prom-client';
import { AvailabilityChanged, OutboxRelay, Topics, type Bus, type Unsubscribe } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import { createLogger, startSubgraph, type Logger, type RunningService } from '@marquee/subgraph-kit';
import { TicketsAppModule } from './app.module.js';
import { availabilityChannel, LiveAvailability } from './availability/live.js';
import { CancellationWorker, type CancellationRun } from './cancellations/cancellation.worker.js';
import { RecoveryWorker, type RecoveryRun } from './checkout/recovery.worker.js';
import { HolderNotifications } from './notifications/holder-notifications.js';
import { DispatchWorker, type DispatchRun } from './notifications/dispatch.worker.js';
import type { Notifier } from './notifications/notifier.js';
import { schema } from './db/database.js';
import type { TicketsEnv } from './env.js';
import { EventDirectory } from './event-directory/event-directory.service.js';
import type { BreakerOptions } from './payments/payment-gateway.js';
import type { PaymentProvider } from './payments/payment-provider.js';
import { SweepWorker } from './reservations/sweep.worker.js';
import { cachingVerifier } from './verifier-cache.js';

export const ticketsMigrations: MigrationSet = {
  schema: 'tickets',
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
};

export interface TicketsDeps {
  bus: Bus;
  log?: Logger;
  /** Overrides TICKETS_PORT (tests pass 0). */
  port?: number;
  /** Sees every SQL statement (tests count them). */
  onQuery?: (query: string) => void;
  /** Verifies access tokens; defaults to the users service's JWKS at JWKS_URL. */
  verifier?: TokenVerifier;
  /** The payment provider; defaults to PAYMENT_PROVIDER's (test: tok_ok, tok_declined, tok_slow). */
  payments?: PaymentProvider;
  breaker?: BreakerOptions;
  /** Background work; all on by default. Tests drive them by hand (sweepOnce, runCancellations, ...). */
  workers?: { sweeper?: boolean; cancellations?: boolean; recovery?: boolean; notifications?: boolean };
  /** Where ticket-holder notifications go; default: SMTP when SMTP_URL is set, else a table. */
  notifier?: Notifier;
}

export interface TicketsRunningService extends RunningService {
  /** Releases every expired hold now; returns how many. */
  sweepOnce(): Promise<number>;
  /** Works the pending cancellation jobs now, optionally stopping after `maxOrders` refunds. */
  runCancellations(options?: { maxOrders?: number }): Promise<CancellationRun>;
  /** Finishes interrupted checkouts now (those untouched for CHECKOUT_RECOVERY_AFTER_MS). */
  recoverCheckouts(): Promise<RecoveryRun>;
  /** Sends the ticket-holder notifications that are due now. */
  dispatchNotifications(): Promise<DispatchRun>;
}

export async function startTicketsService(
  env: TicketsEnv,
  deps: TicketsDeps,
): Promise<TicketsRunningService> {
  const log = deps.log ?? createLogger('tickets', env.LOG_LEVEL);
  if (!deps.payments && env.PAYMENT_PROVIDER === 'test' && env.NODE_ENV === 'production')
    log.warn('using the built-in test payment provider');
  const { service, app } = await startSubgraph({
    name: 'tickets',
    env,
    log,
    port: deps.port ?? env.TICKETS_PORT,
    onQuery: deps.onQuery,
    database: (pool) => createDatabase({ ...pool, schema }),
    migrate: ({ sql, db }) => runMigrations(sql, db, ticketsMigrations),
    bus: deps.bus,
    relay: ({ db }, options) =>
      new OutboxRelay({
        ...options,
        db,
        outbox: schema.outbox,
        // Committed availability changes also go out live, to every replica watching the event.
        afterPublish: async (message) => {
          const parsed =
            message.topic === Topics.availabilityChanged
              ? AvailabilityChanged.safeParse(message.payload)
              : undefined;
          if (parsed?.success)
            await deps.bus.broadcast(availabilityChannel(parsed.data.eventId), parsed.data);
        },
      }),
    module: ({ database, relay, runtime }) =>
      TicketsAppModule.forRoot({
        env,
        database,
        runtime,
        log,
        verifier: cachingVerifier(deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL })),
        outbox: relay,
        ...(deps.payments ? { payments: deps.payments } : {}),
        breaker: deps.breaker ?? {},
        ...(deps.notifier ? { notifier: deps.notifier } : {}),
      }),
    beforeListen: ({ app, runtime }) => {
      const live = app.get(LiveAvailability);
      live.attach(deps.bus);
      new Gauge({
        name: 'tickets_live_subscriptions',
        help: 'ticketAvailabilityChanged subscriptions served by this instance',
        registers: [runtime.metrics],
        collect() {
          this.set(live.watcherCount);
        },
      });
    },
    afterListen: async ({ app, onClose }) => {
      const unsubscribes: Unsubscribe[] = [];
      onClose(async () => {
        for (const unsubscribe of unsubscribes) await unsubscribe();
      });
      unsubscribes.push(await app.get(EventDirectory).subscribe(deps.bus));
      unsubscribes.push(await app.get(CancellationWorker).subscribe(deps.bus));
      unsubscribes.push(await app.get(HolderNotifications).subscribe(deps.bus));
      const { sweeper, cancellations, recovery, dispatcher } = workersOf(app);
      onClose(async () => {
        await sweeper.stop();
        await cancellations.stop();
        await recovery.stop();
        await dispatcher.stop();
      });
      if (deps.workers?.sweeper !== false) sweeper.start();
      // Also resumes jobs a previous run left unfinished.
      if (deps.workers?.cancellations !== false) cancellations.start();
      // Finishes checkouts a previous run (or another replica) left half-way, then keeps watching.
      if (deps.workers?.recovery !== false) recovery.start();
      if (deps.workers?.notifications !== false) dispatcher.start();
    },
    // Live subscribers (gateways) are told to reconnect elsewhere while requests finish.
    closeStreams: (app) => app.get(LiveAvailability).closeAll(),
  });
  const { sweeper, cancellations, recovery, dispatcher } = workersOf(app);
  return {
    ...service,
    sweepOnce: () => sweeper.sweepOnce(),
    runCancellations: (options) => cancellations.runPending(options),
    recoverCheckouts: () => recovery.recoverOnce(),
    dispatchNotifications: () => dispatcher.dispatchOnce(),
  };
}

const workersOf = (app: INestApplication) => ({
  sweeper: app.get(SweepWorker),
  cancellations: app.get(CancellationWorker),
  recovery: app.get(RecoveryWorker),
  dispatcher: app.get(DispatchWorker),
});
