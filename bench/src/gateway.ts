import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SUPERGRAPH_PATH } from '@marquee/gateway';
import { freePort } from '@marquee/db/testing';
import { ApiClient, seedDemo } from '@marquee/stack';
import { benchStack, waitUntilServing } from './bench-env.js';
import { benchOperations, type BenchOperation } from './gateway-operations.js';

/**
 * `npm run bench:gateway`: the same subgraphs and supergraph file behind three gateways — Marquee,
 * stock @apollo/gateway (defaults) and Hive Gateway (defaults) — each its own process pinned to
 * CPU 0, driven in alternation by autocannon pinned to CPU 1, after a warm-up. JSON on stdout;
 * exits 1 when a request failed.
 */
// BENCH_SMOKE=1: every gateway, operation and pattern for 1 s, one round (CI checks that it still runs).
const SMOKE = process.env.BENCH_SMOKE === '1';
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? (SMOKE ? 1 : 8));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (SMOKE ? 1 : 3));
const WARMUP = SMOKE ? 1 : Math.max(5, Number(process.env.BENCH_WARMUP_SECONDS ?? 5));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? (SMOKE ? 8 : 32));
const ALL_GATEWAYS = ['marquee', 'marquee-no-memory', 'stock', 'hive', 'previous'] as const;
type Gateway = (typeof ALL_GATEWAYS)[number];
// BENCH_PREVIOUS_GATEWAY=<another checkout>/gateway/dist/main.js adds that build as `previous`, with
// Marquee's settings: a change measured against the code before it, in the same run.
const PREVIOUS = process.env.BENCH_PREVIOUS_GATEWAY;
// Narrowing for profiling sessions, e.g. BENCH_TARGETS=marquee BENCH_OPERATIONS=deep BENCH_PATTERNS=varied.
const only = (name: string) => process.env[name]?.split(',').filter(Boolean);
const GATEWAYS = ALL_GATEWAYS.filter(
  (g) => (only('BENCH_TARGETS')?.includes(g) ?? true) && (g !== 'previous' || PREVIOUS !== undefined),
);
const PATTERNS = (['identical', 'varied'] as const).filter(
  (p) => only('BENCH_PATTERNS')?.includes(p) ?? true,
);
// BENCH_CPU_PROF_DIR: the Marquee gateway writes a V8 CPU profile there when it exits.
const PROFILE = process.env.BENCH_CPU_PROF_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
  : [];
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const pin = cpus().length >= 2;
const pinned = (core: number, args: string[]) =>
  (pin ? ['taskset', ['-c', String(core), ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];

const { stack, databaseUrl, stop } = await benchStack();
const gateways: Partial<Record<Gateway, ChildProcess>> = {};
let load: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'marquee-bench-gateway-'));
try {
  await seedDemo({ gatewayUrl: stack.gatewayUrl, databaseUrl, nodeEnv: 'development' });
  await stack.settle();
  const catalogue = await readCatalogue(new ApiClient(stack.gatewayUrl));
  const operations = benchOperations(catalogue).filter(
    (o) => only('BENCH_OPERATIONS')?.includes(o.name) ?? true,
  );

  // One supergraph file for everyone, routed to this run's subgraphs.
  const supergraphPath = join(dir, 'supergraph.graphql');
  let sdl = readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8');
  for (const [name, url] of Object.entries(stack.urls)) {
    sdl = sdl.replace(new RegExp(`(join__graph\\(name: "${name}", url: ")[^"]+`), `$1${url}`);
  }
  writeFileSync(supergraphPath, sdl);
  const hiveConfig = join(dir, 'gateway.config.mjs');
  writeFileSync(
    hiveConfig,
    `export const gatewayConfig = { propagateHeaders: { fromClientToSubgraphs: () => ({ 'x-marquee-internal': ${JSON.stringify(stack.internalSecret)} }) } };\n`,
  );

  const ports = {
    marquee: await freePort(),
    'marquee-no-memory': await freePort(),
    stock: await freePort(),
    hive: await freePort(),
    previous: await freePort(),
  };
  const marqueeEnv = (port: number, extra: Record<string, string> = {}) => ({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    SUPERGRAPH_PATH: supergraphPath,
    INTERNAL_SECRET: stack.internalSecret,
    JWKS_URL: stack.urls.users.replace('/graphql', '/.well-known/jwks.json'),
    // The load comes from one address: the limits would measure themselves, not the gateway.
    RATE_LIMIT_IP_PER_MINUTE: '1000000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000000',
    ...extra,
  });
  Object.assign(gateways, {
    marquee: start(
      pinned(0, [process.execPath, ...PROFILE, `${repoRoot}gateway/dist/main.js`]),
      marqueeEnv(ports.marquee),
    ),
    // The same gateway without its one-tick response memory (in-flight deduplication stays):
    // what every request costs when no recent answer can be reused.
    'marquee-no-memory': start(
      pinned(0, [process.execPath, `${repoRoot}gateway/dist/main.js`]),
      marqueeEnv(ports['marquee-no-memory'], { SUBGRAPH_CACHE_TTL_MS: '0' }),
    ),
    stock: start(
      pinned(0, [
        process.execPath,
        join(here, 'stock-apollo-gateway.js'),
        supergraphPath,
        String(ports.stock),
        stack.internalSecret,
      ]),
      {},
    ),
    hive: start(
      pinned(0, [
        process.execPath,
        `${repoRoot}node_modules/@graphql-hive/gateway/dist/bin.js`,
        'supergraph',
        supergraphPath,
        '--port',
        String(ports.hive),
        '--host',
        '127.0.0.1',
        '-c',
        hiveConfig,
      ]),
      {},
    ),
    ...(PREVIOUS
      ? { previous: start(pinned(0, [process.execPath, PREVIOUS]), marqueeEnv(ports.previous)) }
      : {}),
  });
  const urls: Record<Gateway, string> = {
    marquee: `http://127.0.0.1:${ports.marquee}/graphql`,
    'marquee-no-memory': `http://127.0.0.1:${ports['marquee-no-memory']}/graphql`,
    stock: `http://127.0.0.1:${ports.stock}/`,
    hive: `http://127.0.0.1:${ports.hive}/graphql`,
    previous: `http://127.0.0.1:${ports.previous}/graphql`,
  };
  const chosen = GATEWAYS.map((g) => [g, urls[g]] as const);
  for (const [name, url] of chosen) await waitUntilServing(name, url);

  const loader = (load = spawn(...pinned(1, [process.execPath, join(here, 'gateway-load.js')]), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const drive = (url: string, bodies: string[], seconds: number, headers: Record<string, string> = {}) =>
    new Promise<LoadResult>((resolve, reject) => {
      loader.once('message', (result: LoadResult & { error?: string }) =>
        result.error ? reject(new Error(result.error)) : resolve(result),
      );
      loader.send({ url, headers, bodies, connections: CONNECTIONS, durationSeconds: seconds });
    });

  // Every gateway must answer every operation correctly before anything is measured.
  for (const operation of operations) {
    for (const [name, url] of chosen) await assertAnswers(name, url, operation);
  }
  for (const [, url] of chosen) await drive(url, bodiesOf(operations[0]!, 'varied'), WARMUP);

  const results: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const operation of operations) {
      for (const pattern of PATTERNS) {
        const bodies = bodiesOf(operation, pattern);
        for (const gateway of GATEWAYS) {
          const rss = sampleRss(gateways[gateway]!.pid!);
          const result = await drive(urls[gateway], bodies, DURATION);
          results.push({
            round,
            operation: operation.name,
            pattern,
            target: gateway,
            ...result,
            peakRssMb: rss.stop(),
          });
        }
        if (operation.name === 'single-subgraph') {
          const result = await drive(stack.urls.events, bodies, DURATION, {
            'x-marquee-internal': stack.internalSecret,
          });
          results.push({
            round,
            operation: operation.name,
            pattern,
            target: 'direct',
            ...result,
            peakRssMb: null,
          });
        }
      }
    }
  }

  const summary = summarise(results);
  console.log(JSON.stringify(summary, null, 2));
  // Errors or an idle target: the figures would not mean what they say.
  const broken = results.filter((r) => r.errors + r.non2xx > 0 || r.requests === 0);
  if (broken.length > 0) {
    console.error(
      `bench:gateway: ${broken.map((r) => `${r.target} ${r.operation}/${r.pattern}: ${r.requests} requests, ${r.errors} errors, ${r.non2xx} non-2xx`).join('; ')}`,
    );
    process.exitCode = 1;
  }
} finally {
  load?.kill();
  for (const child of Object.values(gateways)) child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  await stop();
}
process.exit();

interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}
interface Row extends LoadResult {
  round: number;
  operation: string;
  pattern: 'identical' | 'varied';
  target: Gateway | 'direct';
  peakRssMb: number | null;
}

function summarise(rows: Row[]) {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const table: Record<
    string,
    Record<
      string,
      Record<string, { rps: number; p50Ms: number; p99Ms: number; errors: number; peakRssMb: number | null }>
    >
  > = {};
  for (const row of rows) {
    const cell = ((table[row.operation] ??= {})[row.pattern] ??= {});
    const same = rows.filter(
      (r) => r.operation === row.operation && r.pattern === row.pattern && r.target === row.target,
    );
    cell[row.target] = {
      rps: Math.round(median(same.map((r) => r.rps))),
      p50Ms: median(same.map((r) => r.p50Ms)),
      p99Ms: median(same.map((r) => r.p99Ms)),
      errors: same.reduce((n, r) => n + r.errors + r.non2xx, 0),
      peakRssMb: row.peakRssMb === null ? null : Math.max(...same.map((r) => r.peakRssMb ?? 0)),
    };
  }
  const ratios: Record<string, number> = {};
  for (const [operation, patterns] of Object.entries(table)) {
    for (const [pattern, cells] of Object.entries(patterns)) {
      const key = `${operation}/${pattern}`;
      // Ratios of each Marquee variant to each peer that ran.
      for (const ours of ['marquee', 'marquee-no-memory'] as const) {
        const mine = cells[ours];
        if (!mine) continue;
        for (const peer of ['hive', 'stock', 'direct'] as const) {
          const theirs = cells[peer];
          if (!theirs) continue;
          ratios[`${key}: ${ours}/${peer} rps`] = round2(mine.rps / theirs.rps);
          if (peer === 'hive') ratios[`${key}: ${ours}/${peer} p99`] = round2(mine.p99Ms / theirs.p99Ms);
        }
      }
    }
  }
  return {
    benchmark: 'gateway',
    machine: { cpus: cpus().length, node: process.version },
    pinning: pin
      ? 'each gateway pinned to CPU 0, autocannon to CPU 1 (taskset); subgraphs and PostgreSQL unpinned'
      : 'none',
    settings: { durationSeconds: DURATION, rounds: ROUNDS, warmupSeconds: WARMUP, connections: CONNECTIONS },
    perCore: 'every gateway runs one process on one core, so these figures are also per core',
    results: table,
    ratios,
    rounds: rows,
  };
}

function bodiesOf(operation: BenchOperation, pattern: 'identical' | 'varied'): string[] {
  const variables = pattern === 'identical' ? [operation.identical] : operation.varied;
  return variables.map((v) => JSON.stringify({ query: operation.query, variables: v }));
}

function start([command, args]: [string, string[]], env: Record<string, string>): ChildProcess {
  return spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
}

async function assertAnswers(name: string, url: string, operation: BenchOperation) {
  for (const variables of [operation.identical, operation.varied.at(-1)!]) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: operation.query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    if (!body.data || body.errors)
      throw new Error(`${name} answered ${operation.name} wrongly: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

async function readCatalogue(api: ApiClient) {
  const eventIds: string[] = [];
  const cursors: (string | null)[] = [null];
  const categories = new Set<string>();
  const cities = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page: {
      events: {
        edges: { node: { id: string; categories: string[]; venue: { city: string } } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    } = await api.request(
      `query($after: String) { events(first: 5, after: $after) { edges { node { id categories venue { city } } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    for (const { node } of page.events.edges) {
      eventIds.push(node.id);
      node.categories.forEach((c) => categories.add(c));
      cities.add(node.venue.city);
    }
    if (!page.events.pageInfo.hasNextPage) break;
    after = page.events.pageInfo.endCursor;
    cursors.push(after);
  }
  return { eventIds, cursors, categories: [...categories].slice(0, 6), cities: [...cities] };
}

function sampleRss(pid: number) {
  let peak = 0;
  const read = () => {
    try {
      peak = Math.max(
        peak,
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
      );
    } catch {
      // the process ended
    }
  };
  const timer = setInterval(read, 200);
  read();
  return {
    stop() {
      clearInterval(timer);
      read();
      return Math.round(peak);
    },
  };
}

function round2(value: number) {
  return Math.round(value * 100) / 100;
}
