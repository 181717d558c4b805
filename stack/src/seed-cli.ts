import { createLogger } from '@marquee/subgraph-kit';
import { openDatabase } from './database.js';
import { loadStackEnvOrExit } from './env.js';
import { seedDemoOnce } from './seed/seed-once.js';
import { seedDemo } from './seed/seed.js';
import { startStack, type Stack } from './stack.js';

/** `npm run seed`: demo data into DATABASE_URL (or the embedded database), through a private stack. */
const env = loadStackEnvOrExit(process.env);
if (env.NODE_ENV === 'production') {
  console.error('Refusing to seed demo data with NODE_ENV=production.');
  process.exit(1);
}
const database = await openDatabase(env);
let stack: Stack | undefined;
const start = async () => {
  stack = await startStack({
    databaseUrl: database.url,
    ports: 'random',
    // The seed's own requests are not logged; anything else is.
    log: (name) => createLogger(name, env.LOG_LEVEL, { format: env.LOG_FORMAT, requestLines: () => false }),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
  });
  return stack;
};
try {
  // The embedded demo database as `npm start` seeds it (once, whole); any other as asked.
  const result = database.embedded
    ? await seedDemoOnce({
        database,
        start,
        stop: async () => {
          await stack?.close();
          stack = undefined;
        },
        nodeEnv: env.NODE_ENV,
        say: (message) => console.log(message),
      })
    : await seedDemo({
        gatewayUrl: (await start()).gatewayUrl,
        databaseUrl: database.url,
        nodeEnv: env.NODE_ENV,
      });
  await stack?.settle();
  console.log(
    result.created > 0
      ? `Seeded ${result.created} demo events.`
      : 'Catalogue already has events; nothing seeded.',
  );
} finally {
  await stack?.close();
  await database.stop();
}
