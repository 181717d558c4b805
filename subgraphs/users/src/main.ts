// The users subgraph as its own process (the image's CMD). runStandalone starts tracing first and
// loads the service only then: instrumentation patches modules as they are imported.
import { runStandalone } from '@marquee/subgraph-kit/standalone';

await runStandalone({
  name: 'users',
  load: async () => {
    const service = await import('./index.js');
    return { envSchema: service.usersEnvSchema, start: service.startUsersService };
  },
});
