import { EnvError } from '@marquee/env';
import { closeOnSignals } from '@marquee/subgraph-kit';
import { DEMO_ACCOUNTS } from '@marquee/users';
import { openDatabase } from './database.js';
import { demoSigningKey } from './demo-key.js';
import { loadStackEnvOrExit } from './env.js';
import { seedDemo } from './seed/seed.js';
import { startStack, type Stack } from './stack.js';

/**
 * `npm start` (after start.ts started tracing): the whole supergraph in one process. Without
 * DATABASE_URL it is the zero-setup demo: an embedded PostgreSQL, an in-process bus, and demo
 * data on first start.
 */
const started = Date.now();
const env = loadStackEnvOrExit(process.env);
const database = await openDatabase(env);
let stack: Stack | undefined;
let closing = false;

// SIGTERM / SIGINT, from here on (also mid-start or mid-seed, so the embedded database never
// outlives us): the gateway drains first (its requests in flight still reach the subgraphs),
// then each subgraph, then the database stops; telemetry is flushed, exit 0.
closeOnSignals(
  {
    async close() {
      closing = true;
      await stack?.close();
      await database.stop();
    },
  },
  {
    info: (message) => console.log(message),
    error: (object, message) => console.error(message, object),
  },
  { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
);

try {
  await boot();
} catch (error) {
  // Interrupted by a signal: the start-up failing is expected; the shutdown above finishes.
  if (!closing) {
    await stack?.close().catch(() => undefined);
    await database.stop();
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

// SIGHUP: the gateway re-reads its supergraph file, without dropping a connection.
process.on('SIGHUP', () => void stack?.gateway.reloadSupergraph());

async function boot() {
  const source = { ...process.env };
  if (database.embedded && !source.JWT_PRIVATE_KEY) source.JWT_PRIVATE_KEY = demoSigningKey(env.DATA_DIR);
  stack = await startStack({
    databaseUrl: database.url,
    source,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
  });
  if (database.embedded) {
    const seeded = await seedDemo({
      gatewayUrl: stack.gatewayUrl,
      databaseUrl: database.url,
      nodeEnv: env.NODE_ENV,
    });
    if (seeded.created > 0) console.log(`Seeded ${seeded.created} demo events.`);
  }
  const endpoint = `http://localhost:${new URL(stack.gatewayUrl).port}/graphql`;
  console.log(
    [
      '',
      `Marquee is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  GraphQL endpoint:  ${endpoint}`,
      `  Playground:        ${endpoint}  (open it in a browser)`,
      `  Database:          ${database.embedded ? `embedded PostgreSQL on port ${env.EMBEDDED_PG_PORT}` : 'DATABASE_URL'}`,
      `  Bus:               ${env.REDIS_URL ? 'Redis (REDIS_URL)' : 'in-process'}`,
      ...(database.embedded
        ? ['  Demo accounts:', ...DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(26)} ${a.password}`)]
        : []),
      '',
    ].join('\n'),
  );
}
