import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createTokenVerifier } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus } from '@marquee/bus';
import { createDatabase } from '@marquee/db';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { graphql } from '@marquee/subgraph-kit/testing';
import { schema } from '#src/db/database.js';
import { recommendationsEnvSchema } from '#src/env.js';
import { loadWorld } from './eval/load.js';
import { createRandom } from './eval/random.js';
import { scratchDatabase } from './eval/scratch-database.js';
import { generateWorld } from './eval/synthetic.js';
import { ownCpuMs, processCpuMs } from './cpu.js';
import { startRecommendationsService } from '#src/service.js';

/**
 * `npm run bench:recommendations`: recommendedEvents latency at 10,000 users and 100,000
 * interactions over a catalog of 2,000 upcoming events, measured through the subgraph's HTTP
 * /graphql as the gateway calls it (internal credential + access token). Prints JSON; exits 1
 * when a request failed or came back without recommendations (latency alone never fails it: it
 * depends on the machine's load).
 */
// BENCH_SMOKE=1: a twentieth of the population and 50 requests (CI checks that it still runs).
const SMOKE = process.env.BENCH_SMOKE === '1';
const POPULATION = {
  seed: 4004,
  now: new Date('2030-06-01T12:00:00Z'),
  users: SMOKE ? 500 : 10_000,
  futureEvents: SMOKE ? 100 : 2_000,
  pastEvents: SMOKE ? 25 : 500,
  organizers: SMOKE ? 15 : 300,
  interactions: SMOKE ? 5_000 : 100_000,
};
const REQUESTS = SMOKE ? 50 : 500;
const WARMUP = SMOKE ? 10 : 50;
const CONCURRENCY = 4;
const TARGET_P95_MS = 50;

const QUERY = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on User { recommendedEvents(first: 10) { event { id } score reasons } } }
}`;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
const ms = (value: number) => Math.round(value * 100) / 100;

const scratch = await scratchDatabase('bench');
const internalSecret = randomBytes(16).toString('hex');
const issuer = await createTestIssuer();
let statements = 0;
const service = await startRecommendationsService(
  parseEnv(recommendationsEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: scratch.url,
    INTERNAL_SECRET: internalSecret,
    HOST: '127.0.0.1',
    OUTBOX_POLL_MS: '60000',
  }),
  {
    bus: new MemoryBus(),
    port: 0,
    log: createLogger('recommendations', 'silent'),
    verifier: createTokenVerifier({ jwks: issuer.jwks }),
    clock: () => POPULATION.now,
    onQuery: () => {
      statements += 1;
    },
  },
);
try {
  const loadStarted = performance.now();
  const world = generateWorld({ ...POPULATION, holdOut: false });
  const loader = createDatabase({ url: scratch.url, schema, max: 1 });
  try {
    await loadWorld(loader, world);
  } finally {
    await loader.close();
  }
  const loadMs = performance.now() - loadStarted;

  const random = createRandom(POPULATION.seed);
  const sample = Array.from({ length: WARMUP + REQUESTS }, () => random.pick(world.users).id);
  const tokens = await Promise.all(sample.map((id) => issuer.token(id)));
  const call = async (i: number) => {
    const started = performance.now();
    const res = await graphql<{ _entities: { recommendedEvents: unknown[] }[] }>(
      service.url,
      QUERY,
      { r: [{ __typename: 'User', id: sample[i] }] },
      { internalSecret, token: tokens[i]! },
    );
    const took = performance.now() - started;
    const ok = !res.errors && (res.data?._entities[0]?.recommendedEvents.length ?? 0) > 0;
    return { took, ok };
  };
  const run = async (from: number, to: number) => {
    const latencies: number[] = [];
    let failures = 0;
    let next = from;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < to) {
          const { took, ok } = await call(next++);
          latencies.push(took);
          if (!ok) failures += 1;
        }
      }),
    );
    return { latencies, failures };
  };

  await run(0, WARMUP);
  // The service's database sessions, to read how much CPU Postgres spends per request.
  const probe = createDatabase({ url: scratch.url, schema, max: 1 });
  const backends = (
    await probe.sql<{ pid: number }[]>`select pid from pg_stat_activity
      where application_name = 'marquee-recommendations' and datname = current_database()`
  ).map((r) => r.pid);
  const cpuBefore = { node: ownCpuMs(), postgres: processCpuMs(backends) };
  statements = 0;
  const started = performance.now();
  const { latencies, failures } = await run(WARMUP, WARMUP + REQUESTS);
  const wallMs = performance.now() - started;
  const cpuAfter = { node: ownCpuMs(), postgres: processCpuMs(backends) };
  await probe.close();
  const postgresCpu =
    cpuBefore.postgres === null || cpuAfter.postgres === null
      ? null
      : ms((cpuAfter.postgres - cpuBefore.postgres) / REQUESTS);
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = ms(percentile(sorted, 95));
  console.log(
    JSON.stringify(
      {
        benchmark: 'recommendedEvents',
        database: scratch.kind,
        population: {
          users: world.users.length,
          interactions: world.interactions.length,
          events: world.events.length,
          upcomingEvents: POPULATION.futureEvents,
        },
        loadMs: Math.round(loadMs),
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        failures,
        statementsPerRequest: ms(statements / REQUESTS),
        throughputPerSecond: Math.round((REQUESTS / wallMs) * 1000),
        // What load on the machine does not change: CPU per request, in the benchmark's Node
        // process (the service and the load generator) and in the service's Postgres sessions.
        cpuMsPerRequest: {
          node: ms((cpuAfter.node - cpuBefore.node) / REQUESTS),
          postgres: postgresCpu,
        },
        latencyMs: {
          p50: ms(percentile(sorted, 50)),
          p95,
          p99: ms(percentile(sorted, 99)),
          max: ms(sorted[sorted.length - 1] ?? 0),
          mean: ms(latencies.reduce((s, v) => s + v, 0) / Math.max(1, latencies.length)),
        },
        target: { p95Ms: TARGET_P95_MS, met: p95 <= TARGET_P95_MS && failures === 0 },
        // Latency depends on what else the machine runs: its load while measuring, and its cores.
        machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 },
      },
      null,
      2,
    ),
  );
  if (failures > 0) {
    console.error(`bench:recommendations: ${failures} of ${REQUESTS} requests failed`);
    process.exitCode = 1;
  }
} finally {
  await service.close();
  await scratch.drop();
}
