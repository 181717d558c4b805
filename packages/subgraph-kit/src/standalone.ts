import type { z } from '@marquee/env';
import { startTelemetry } from '@marquee/telemetry';
import type { RunningService } from './bootstrap.js';
import type { Logger } from './logger.js';

// Imported on its own (`@marquee/subgraph-kit/standalone`) by each subgraph's main.ts, before
// anything else: tracing's instrumentation patches modules as they load, so the service (Nest,
// express, ioredis...) and this package's index are imported only once it runs.

interface StandaloneEnv {
  LOG_LEVEL: string;
  LOG_FORMAT?: 'pretty' | 'json' | undefined;
  SHUTDOWN_TIMEOUT_MS: number;
  REDIS_URL?: string | undefined;
}

interface Closable {
  close(): Promise<void>;
}

/** What a subgraph hands runStandalone, loaded after tracing started. */
export interface StandaloneService<E extends StandaloneEnv, B extends Closable | undefined> {
  envSchema: z.ZodType<E>;
  /**
   * The bus to the other services, for a subgraph on one: a RedisBus at REDIS_URL (processes
   * cannot share the in-process bus).
   */
  bus?(redisUrl: string, log: Logger): B;
  start(env: E, deps: { bus: B; log: Logger }): Promise<RunningService>;
}

export interface StandaloneOptions<E extends StandaloneEnv, B extends Closable | undefined> {
  name: string;
  load(): Promise<StandaloneService<E, B>>;
  /** Where the settings come from (process.env). */
  source?: Record<string, string | undefined>;
}

/**
 * A subgraph as its own process: tracing, its env (every problem listed, then exit 1), its bus,
 * the service, then graceful shutdown on SIGTERM/SIGINT (see closeOnSignals). Returns what stops
 * listening for those signals.
 */
export async function runStandalone<E extends StandaloneEnv, B extends Closable | undefined = undefined>(
  options: StandaloneOptions<E, B>,
): Promise<() => void> {
  const { name } = options;
  await startTelemetry({ serviceName: name });
  const [{ loadEnvOrExit }, kit, service] = await Promise.all([
    import('@marquee/env'),
    import('./index.js'),
    options.load(),
  ]);
  const env = loadEnvOrExit(service.envSchema, options.source);
  const log = kit.createLogger(name, env.LOG_LEVEL, env.LOG_FORMAT);
  let bus: B | undefined;
  if (service.bus) {
    if (!env.REDIS_URL) {
      console.error(
        `REDIS_URL is required to run the ${name} subgraph on its own: a standalone process cannot ` +
          'share the in-process bus. Set REDIS_URL, or run everything in one process with `npm start`.',
      );
      process.exit(1);
    }
    bus = service.bus(env.REDIS_URL, log);
  }
  const running = await service.start(env, { bus: bus as B, log }).catch(async (error: unknown) => {
    await bus?.close();
    // Its port taken: one sentence naming the variable (EVENTS_PORT=4001 ...), exit 1.
    kit.exitOnPortError(error, { [`${name.toUpperCase()}_PORT`]: (error as { port?: number }).port });
    throw error;
  });
  log.info({ url: running.url }, `${name} subgraph listening`);
  return kit.closeOnSignals(
    {
      async close() {
        await running.close();
        await bus?.close();
      },
    },
    log,
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
  );
}
