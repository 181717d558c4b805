// The tickets subgraph as its own process (the image's CMD). runStandalone starts tracing first and
// loads the service only then: instrumentation patches modules as they are imported.
import { runStandalone } from '@marquee/subgraph-kit/standalone';

await runStandalone({
  name: 'tickets',
  load: async () => {
    const [{ RedisBus }, service] = await Promise.all([import('@marquee/bus'), import('./index.js')]);
    return {
      envSchema: service.ticketsEnvSchema,
      bus: (url, logger) => new RedisBus({ url, logger }),
      start: service.startTicketsService,
    };
  },
});
