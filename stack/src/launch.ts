import { resolve } from 'node:path';
import { EmbeddedPostgresError } from '@marquee/db/embedded';
import { EnvError } from '@marquee/env';
import { closeOnSignals, createLogger, defaultLogFormat, exitOnPortError } from '@marquee/subgraph-kit';
import { DEMO_ACCOUNTS } from '@marquee/users';
import { openDatabase } from './database.js';
import { demoSigningKey } from './demo-key.js';
import { loadStackEnvOrExit } from './env.js';
import { seedDemoOnce } from './seed/seed-once.js';
import { startStack, type Stack } from './stack.js';

/**
 * `npm start` (after start.ts started tracing): the whole supergraph in one process. Without
 * DATABASE_URL it is the zero-setup demo: an embedded PostgreSQL, an in-process bus, and demo
 * data on first start, seeded while the gateway answers on a private port only. The public
 * port opens once all of it is there, and the banner is the last thing printed.
 */
const started = Date.now();
const env = loadStackEnvOrExit(process.env);
const database = await openDatabase(env).catch((error: unknown) => {
  // EMBEDDED_PG_PORT taken, say: one sentence, exit 1.
  if (!(error instanceof EmbeddedPostgresError)) throw error;
  console.error(error.message);
  process.exit(1);
});
let stack: Stack | undefined;
let closing = false;

// Pretty on a terminal, JSON otherwise. The seed's requests are not logged (nor anything else
// of theirs but failures); in pretty mode a request is one line, the gateway's.
const format = env.LOG_FORMAT ?? defaultLogFormat();
let seeding = true;
const log = (name: string) =>
  createLogger(name, env.LOG_LEVEL, {
    format,
    requestLines: () => !seeding && (format === 'json' || name === 'gateway'),
  });

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
    // What the user fixes with a setting is one sentence, then exit 1.
    exitOnPortError(error, { GATEWAY_PORT: env.GATEWAY_PORT });
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
  const db = database;
  const source = { ...process.env };
  if (db.embedded && !source.JWT_PRIVATE_KEY) source.JWT_PRIVATE_KEY = demoSigningKey(env.DATA_DIR);
  const start = async () => {
    stack = await startStack({
      databaseUrl: db.url,
      source,
      log,
      openLater: true,
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    });
    return stack;
  };
  if (db.embedded) {
    const seeded = await seedDemoOnce({
      database: db,
      start,
      stop: async () => {
        await stack?.close();
        stack = undefined;
      },
      nodeEnv: env.NODE_ENV,
      say: (message) => console.log(message),
      // For the end-to-end suites only (see seedDemo): not a setting anyone else needs.
      ...(process.env.MARQUEE_SEED_PAUSE_FILE ? { pauseFile: process.env.MARQUEE_SEED_PAUSE_FILE } : {}),
    });
    if (seeded.created > 0) console.log(`Seeded ${seeded.created} demo events.`);
  } else {
    await start();
  }
  seeding = false;
  const url = await stack!.open();
  const endpoint = `http://localhost:${new URL(url).port}/graphql`;
  console.log(
    [
      '',
      `Marquee is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  GraphQL endpoint:  ${endpoint}`,
      `  Playground:        ${endpoint}  (open it in a browser)`,
      `  Database:          ${db.embedded ? `embedded PostgreSQL on port ${env.EMBEDDED_PG_PORT}` : 'DATABASE_URL'}`,
      ...(db.embedded && db.dataDir && !db.dataDir.startsWith(resolve(env.DATA_DIR))
        ? [`                     (data in ${db.dataDir}: the postgres user cannot reach DATA_DIR)`]
        : []),
      `  Bus:               ${env.REDIS_URL ? 'Redis (REDIS_URL)' : 'in-process'}`,
      ...(db.embedded
        ? ['  Demo accounts:', ...DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(26)} ${a.password}`)]
        : []),
      '',
    ].join('\n'),
  );
}
