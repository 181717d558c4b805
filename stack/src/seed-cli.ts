import { openDatabase } from './database.js';
import { loadStackEnvOrExit } from './env.js';
import { seedDemo } from './seed/seed.js';
import { startStack } from './stack.js';

/** `npm run seed`: demo data into DATABASE_URL (or the embedded database), through a private stack. */
const env = loadStackEnvOrExit(process.env);
if (env.NODE_ENV === 'production') {
  console.error('Refusing to seed demo data with NODE_ENV=production.');
  process.exit(1);
}
const database = await openDatabase(env);
const stack = await startStack({
  databaseUrl: database.url,
  ports: 'random',
  ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
});
try {
  const result = await seedDemo({
    gatewayUrl: stack.gatewayUrl,
    databaseUrl: database.url,
    nodeEnv: env.NODE_ENV,
  });
  await stack.settle();
  console.log(
    result.created > 0
      ? `Seeded ${result.created} demo events.`
      : 'Catalogue already has events; nothing seeded.',
  );
} finally {
  await stack.close();
  await database.stop();
}
