import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { Gauge } from 'prom-client';
import { AvailabilityChanged, OutboxRelay, Topics, type Bus } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import {
  createLogger,
  createRuntime,
  createSubgraphApp,
  drainHttpServer,
  listen,
  type Logger,
  type RunningService,
} from '@marquee/subgraph-kit';
import { TicketsAppModule } from './app.module.js';
import { availabilityChannel, LiveAvailability } from './availability/live.js';
import { CancellationWorker, type CancellationRun } from './cancellations/cancellation.worker.js';
import { CheckoutRecovery, type RecoveryRun } from './checkout/checkout-recovery.js';
import { HolderNotifications } from './notifications/holder-notifications.js';
import { NotificationDispatcher, type DispatchRun } from './notifications/notification-dispatcher.js';
import type { Notifier } from './notifications/notifier.js';
import { schema } from './db/database.js';
import type { TicketsEnv } from './env.js';
import { EventDirectory } from './event-directory/event-directory.service.js';
import type { BreakerOptions } from './payments/payment-gateway.js';
import { TestPaymentProvider, type PaymentProvider } from './payments/payment-provider.js';
import { Sweeper } from './reservations/sweeper.js';
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
  /** The payment provider; defaults to the built-in test provider (tok_ok, tok_declined, tok_slow). */
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
  const database = createDatabase({
    url: env.DATABASE_URL,
    schema,
    max: env.DB_POOL_MAX,
    applicationName: 'marquee-tickets',
    ...(deps.onQuery ? { onQuery: deps.onQuery } : {}),
  });
  await runMigrations(database.sql, database.db, ticketsMigrations);
  const relay = new OutboxRelay({
    db: database.db,
    outbox: schema.outbox,
    bus: deps.bus,
    source: 'tickets',
    logger: log,
    // Committed availability changes also go out live, to every replica watching the event.
    afterPublish: async (message) => {
      const parsed =
        message.topic === Topics.availabilityChanged
          ? AvailabilityChanged.safeParse(message.payload)
          : undefined;
      if (parsed?.success) await deps.bus.broadcast(availabilityChannel(parsed.data.eventId), parsed.data);
    },
  });
  if (!deps.payments && env.NODE_ENV === 'production') log.warn('using the built-in test payment provider');
  const runtime = createRuntime(
    'tickets',
    log,
    [
      { name: 'postgres', check: () => database.ping() },
      { name: 'bus', check: () => deps.bus.ping() },
    ],
    { database },
  );
  const app = await createSubgraphApp(
    TicketsAppModule.forRoot({
      env,
      database,
      runtime,
      log,
      verifier: cachingVerifier(deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL })),
      outbox: relay,
      payments: deps.payments ?? new TestPaymentProvider(),
      breaker: deps.breaker ?? {},
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
    }),
    { internalSecret: env.INTERNAL_SECRET, runtime },
  );
  const sweeper = app.get(Sweeper);
  const cancellations = app.get(CancellationWorker);
  const recovery = app.get(CheckoutRecovery);
  const dispatcher = app.get(NotificationDispatcher);
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
  const url = await listen(app, deps.port ?? env.TICKETS_PORT, env.HOST);
  relay.start();
  const unsubscribes = [
    await app.get(EventDirectory).subscribe(deps.bus),
    await cancellations.subscribe(deps.bus),
    await app.get(HolderNotifications).subscribe(deps.bus),
  ];
  if (deps.workers?.sweeper !== false) sweeper.start();
  // Also resumes jobs a previous run left unfinished.
  if (deps.workers?.cancellations !== false) cancellations.start();
  // Finishes checkouts a previous run (or another replica) left half-way, then keeps watching.
  if (deps.workers?.recovery !== false) recovery.start();
  if (deps.workers?.notifications !== false) dispatcher.start();

  return {
    name: 'tickets',
    url,
    settle: () => relay.flush(),
    sweepOnce: () => sweeper.sweepOnce(),
    runCancellations: (options) => cancellations.runPending(options),
    recoverCheckouts: () => recovery.recoverOnce(),
    dispatchNotifications: () => dispatcher.dispatchOnce(),
    async close() {
      // Live subscribers (gateways) are told to reconnect elsewhere while requests finish.
      await drainHttpServer(app.getHttpServer(), env.SHUTDOWN_TIMEOUT_MS, () => live.closeAll());
      await sweeper.stop();
      await cancellations.stop();
      await recovery.stop();
      await dispatcher.stop();
      for (const unsubscribe of unsubscribes) await unsubscribe();
      // What the last requests and workers committed goes out before the pool closes.
      await relay.flush().catch((error: unknown) => log.error({ err: String(error) }, 'outbox flush failed'));
      await relay.stop();
      await app.close();
      await database.close();
    },
  };
}
