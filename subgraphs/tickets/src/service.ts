import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, type TokenVerifier } from '@marquee/auth';
import { OutboxRelay, type Bus } from '@marquee/bus';
import { createDatabase, runMigrations, type MigrationSet } from '@marquee/db';
import {
  createLogger,
  createRuntime,
  createSubgraphApp,
  listen,
  type Logger,
  type RunningService,
} from '@marquee/subgraph-kit';
import { TicketsAppModule } from './app.module.js';
import { LiveAvailability } from './availability/live.js';
import { CancellationWorker, type CancellationRun } from './cancellations/cancellation.worker.js';
import { schema } from './db/database.js';
import type { TicketsEnv } from './env.js';
import { EventDirectory } from './event-directory/event-directory.service.js';
import type { BreakerOptions } from './payments/payment-gateway.js';
import { TestPaymentProvider, type PaymentProvider } from './payments/payment-provider.js';
import { Sweeper } from './reservations/sweeper.js';

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
  /** Background work; both on by default. Tests drive them by hand with sweepOnce / runCancellations. */
  workers?: { sweeper?: boolean; cancellations?: boolean };
}

export interface TicketsRunningService extends RunningService {
  /** Releases every expired hold now; returns how many. */
  sweepOnce(): Promise<number>;
  /** Works the pending cancellation jobs now, optionally stopping after `maxOrders` refunds. */
  runCancellations(options?: { maxOrders?: number }): Promise<CancellationRun>;
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
  });
  if (!deps.payments && env.NODE_ENV === 'production') log.warn('using the built-in test payment provider');
  const runtime = createRuntime('tickets', log, [
    { name: 'postgres', check: () => database.ping() },
    { name: 'bus', check: () => deps.bus.ping() },
  ]);
  const app = await createSubgraphApp(
    TicketsAppModule.forRoot({
      env,
      database,
      runtime,
      log,
      verifier: deps.verifier ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
      outbox: relay,
      payments: deps.payments ?? new TestPaymentProvider(),
      breaker: deps.breaker ?? {},
    }),
    { internalSecret: env.INTERNAL_SECRET },
  );
  const sweeper = app.get(Sweeper);
  const cancellations = app.get(CancellationWorker);
  const live = app.get(LiveAvailability);
  const url = await listen(app, deps.port ?? env.TICKETS_PORT, env.HOST);
  relay.start();
  const unsubscribes = [
    await app.get(EventDirectory).subscribe(deps.bus),
    await cancellations.subscribe(deps.bus),
    await live.subscribe(deps.bus),
  ];
  if (deps.workers?.sweeper !== false) sweeper.start();
  // Also resumes jobs a previous run left unfinished.
  if (deps.workers?.cancellations !== false) cancellations.start();

  return {
    name: 'tickets',
    url,
    settle: () => relay.flush(),
    sweepOnce: () => sweeper.sweepOnce(),
    runCancellations: (options) => cancellations.runPending(options),
    async close() {
      await sweeper.stop();
      await cancellations.stop();
      for (const unsubscribe of unsubscribes) await unsubscribe();
      live.closeAll();
      await relay.stop();
      await app.close();
      await database.close();
    },
  };
}
