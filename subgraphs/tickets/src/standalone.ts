import { RedisBus } from '@marquee/bus';
import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger } from '@marquee/subgraph-kit';
import { ticketsEnvSchema } from './env.js';
import { startTicketsService } from './service.js';

const env = loadEnvOrExit(ticketsEnvSchema);
const log = createLogger('tickets', env.LOG_LEVEL);
if (!env.REDIS_URL) {
  console.error(
    'REDIS_URL is required to run the tickets subgraph on its own: a standalone process cannot ' +
      'share the in-process bus. Use `npm start` at the repository root for the all-in-one demo.',
  );
  process.exit(1);
}
const bus = new RedisBus({ url: env.REDIS_URL, logger: log });
const service = await startTicketsService(env, { bus, log });
log.info({ url: service.url }, 'tickets subgraph listening');
closeOnSignals(
  {
    close: async () => {
      await service.close();
      await bus.close();
    },
  },
  log,
  { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
);
