import { randomBytes } from 'node:crypto';
import { createBus, type Bus } from '@marquee/bus';
import { EnvError, parseEnv, type z } from '@marquee/env';
import { startEventsService, eventsEnvSchema } from '@marquee/events';
import { gatewayEnvSchema, startGateway, type RunningGateway } from '@marquee/gateway';
import { recommendationsEnvSchema, startRecommendationsService } from '@marquee/recommendations';
import { startTicketsService, ticketsEnvSchema } from '@marquee/tickets';
import { startUsersService, usersEnvSchema } from '@marquee/users';
import {
  createLogger,
  PortError,
  type LogFormat,
  type Logger,
  type RunningService,
} from '@marquee/subgraph-kit';

export interface StackOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** Everything else comes from here (normally process.env): ports, TTLs, log level... */
  source?: Record<string, string | undefined>;
  /** 'fixed': the *_PORT settings (4000-4004); 'random': free ports (tests). */
  ports?: 'fixed' | 'random';
  /** Sees every SQL statement, per service (tests count them). */
  onQuery?: (service: string, sql: string) => void;
  log?: (service: string) => Logger;
  /** Namespaces Redis keys, so parallel test stacks sharing one Redis stay apart. */
  busPrefix?: string;
  /**
   * The gateway answers on a private 127.0.0.1 port (gatewayUrl) until open() opens
   * GATEWAY_PORT: the launcher seeds the demo in between, and nobody else sees it half done.
   */
  openLater?: boolean;
}

export interface Stack {
  gatewayUrl: string;
  gateway: RunningGateway;
  urls: Record<'users' | 'events' | 'tickets' | 'recommendations', string>;
  internalSecret: string;
  bus: Bus;
  /** Opens the gateway's public port (see `openLater`); resolves to its /graphql URL. */
  open(): Promise<string>;
  /** Publishes every service's pending outbox rows now. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function parseAll<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
  problems: string[],
) {
  try {
    return parseEnv(schema, source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** Every service's settings, checked together so all problems show at once. */
export function serviceEnvProblems(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const schema of [
    usersEnvSchema,
    eventsEnvSchema,
    ticketsEnvSchema,
    recommendationsEnvSchema,
    gatewayEnvSchema,
  ]) {
    parseAll(schema as z.ZodType, source, problems);
  }
  return [...new Set(problems)];
}

/**
 * The whole supergraph in one process: the four subgraphs on their own ports, then the
 * gateway in front. One bus for all (in-process unless REDIS_URL is set).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const source = options.source ?? process.env;
  const random = options.ports === 'random';
  const internalSecret = source.INTERNAL_SECRET || randomBytes(24).toString('base64url');
  const shared = {
    ...source,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    INTERNAL_SECRET: internalSecret,
    // The gateway's Redis keys (APQ, rate limits) share the bus's namespace.
    ...(options.busPrefix ? { REDIS_PREFIX: options.busPrefix } : {}),
  };
  const log =
    options.log ??
    ((name: string) => createLogger(name, source.LOG_LEVEL ?? 'info', source.LOG_FORMAT as LogFormat));
  const bus = createBus({
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.busPrefix ? { prefix: options.busPrefix } : {}),
    logger: log('bus'),
  });
  const hook = (name: string) =>
    options.onQuery ? { onQuery: (sql: string) => options.onQuery!(name, sql) } : {};
  const port = (value: number) => (random ? { port: 0 } : { port: value });
  const started: RunningService[] = [];
  const problems: string[] = [];

  const usersEnv = parseAll(usersEnvSchema, shared, problems);
  const eventsEnv = parseAll(eventsEnvSchema, shared, problems);
  const ticketsEnv = parseAll(ticketsEnvSchema, shared, problems);
  const recommendationsEnv = parseAll(recommendationsEnvSchema, shared, problems);
  const gatewayEnv = parseAll(gatewayEnvSchema, shared, problems);
  if (!usersEnv || !eventsEnv || !ticketsEnv || !recommendationsEnv || !gatewayEnv) {
    await bus.close();
    throw new EnvError([...new Set(problems)]);
  }

  try {
    const users = await startUsersService(usersEnv, {
      log: log('users'),
      ...port(usersEnv.USERS_PORT),
      ...hook('users'),
    });
    started.push(users);
    // In one process the services find each other at the ports they really got.
    const JWKS_URL = users.url.replace(/\/graphql$/, '/.well-known/jwks.json');
    const events = await startEventsService(
      { ...eventsEnv, JWKS_URL },
      { bus, log: log('events'), ...port(eventsEnv.EVENTS_PORT), ...hook('events') },
    );
    started.push(events);
    const tickets = await startTicketsService(
      { ...ticketsEnv, JWKS_URL, EVENTS_URL: events.url },
      { bus, log: log('tickets'), ...port(ticketsEnv.TICKETS_PORT), ...hook('tickets') },
    );
    started.push(tickets);
    const recommendations = await startRecommendationsService(
      { ...recommendationsEnv, JWKS_URL },
      {
        bus,
        log: log('recommendations'),
        ...port(recommendationsEnv.RECOMMENDATIONS_PORT),
        ...hook('recommendations'),
      },
    );
    started.push(recommendations);

    const urls = {
      users: users.url,
      events: events.url,
      tickets: tickets.url,
      recommendations: recommendations.url,
    };
    const gateway = await startGateway(
      { ...gatewayEnv, JWKS_URL },
      {
        log: log('gateway'),
        ...port(gatewayEnv.GATEWAY_PORT),
        ...(random ? { opsPort: 0 } : {}),
        subgraphUrls: urls,
        openLater: options.openLater === true,
      },
    );
    started.push(gateway);

    return {
      get gatewayUrl() {
        return gateway.url;
      },
      open: () => gateway.open(),
      gateway,
      urls,
      internalSecret,
      bus,
      async settle() {
        // Twice: a consumer's reaction (e.g. a refund after a cancellation) may itself publish.
        for (let round = 0; round < 2; round++) {
          for (const service of started) await service.settle?.();
        }
      },
      async close() {
        for (const service of started.reverse()) await service.close().catch(() => undefined);
        await bus.close();
      },
    };
  } catch (error) {
    for (const service of started.reverse()) await service.close().catch(() => undefined);
    await bus.close();
    // A subgraph's port taken: said with the variable that set it.
    const ports = {
      USERS_PORT: usersEnv.USERS_PORT,
      EVENTS_PORT: eventsEnv.EVENTS_PORT,
      TICKETS_PORT: ticketsEnv.TICKETS_PORT,
      RECOMMENDATIONS_PORT: recommendationsEnv.RECOMMENDATIONS_PORT,
    };
    const variable = Object.entries(ports).find(([, value]) => value === (error as PortError).port)?.[0];
    throw error instanceof PortError && !error.variable && variable ? error.named(variable) : error;
  }
}
