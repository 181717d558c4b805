import { RedisBus } from '@marquee/bus';
import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger } from '@marquee/subgraph-kit';
import { recommendationsEnvSchema } from './env.js';
import { startRecommendationsService } from './service.js';

const env = loadEnvOrExit(recommendationsEnvSchema);
const log = createLogger('recommendations', env.LOG_LEVEL);
if (!env.REDIS_URL) {
  console.error(
    'REDIS_URL is required to run the recommendations subgraph on its own: a standalone process ' +
      'cannot share the in-process bus. Set REDIS_URL, or run everything at once with `npm start`.',
  );
  process.exit(1);
}
const bus = new RedisBus({ url: env.REDIS_URL, logger: log });
const service = await startRecommendationsService(env, { bus, log });
log.info({ url: service.url }, 'recommendations subgraph listening');
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
