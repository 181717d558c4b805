import { RedisBus } from '@marquee/bus';
import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger } from '@marquee/subgraph-kit';
import { eventsEnvSchema } from './env.js';
import { startEventsService } from './service.js';

const env = loadEnvOrExit(eventsEnvSchema);
const log = createLogger('events', env.LOG_LEVEL);
if (!env.REDIS_URL) {
  console.error(
    'REDIS_URL is required to run the events subgraph on its own: a standalone process cannot share ' +
      'the in-process bus. Set REDIS_URL, or run everything in one process with `npm start`.',
  );
  process.exit(1);
}
const bus = new RedisBus({ url: env.REDIS_URL, logger: log });
const service = await startEventsService(env, { bus, log });
log.info({ url: service.url }, 'events subgraph listening');
closeOnSignals(
  {
    async close() {
      await service.close();
      await bus.close();
    },
  },
  log,
  { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
);
