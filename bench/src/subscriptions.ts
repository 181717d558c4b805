import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '@marquee/db/testing';
import { INTERNAL_HEADER } from '@marquee/auth';
import { ApiClient } from '@marquee/stack';
import { benchStack } from './bench-env.js';

/**
 * `npm run bench:subscriptions`: K graphql-ws subscribers on one gateway process, one sale,
 * three times per K; delivery latency from the sale to each subscriber, and the gateway's RSS.
 * The floor is the same client subscribed straight to the tickets subgraph. Gateway and load
 * client are pinned to different cores (taskset) when the machine has two or more. The gateway
 * runs as in production: registered operations only, so the benchmark's subscription is added
 * to a copy of the manifest and sent by id. Exits 1 when a subscriber missed a sale.
 * BENCH_SMOKE=1: 50 subscribers, two sales (CI checks that it still runs).
 */
const SMOKE = process.env.BENCH_SMOKE === '1';
const SIZES = (process.env.BENCH_SUBSCRIBERS ?? (SMOKE ? '50' : '1000,5000,10000')).split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (SMOKE ? 2 : 3));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const pin = cpus().length >= 2;
const now = () => performance.timeOrigin + performance.now();

const LIVE = `subscription BenchAvailability($eventId: ID!) { ticketAvailabilityChanged(eventId: $eventId) { eventId available sold held status event { title } } }`;

const { stack, stop } = await benchStack();
const manifestDir = mkdtempSync(join(tmpdir(), 'marquee-bench-subscriptions-'));
let gatewayProcess: ChildProcess | undefined;
let client: ChildProcess | undefined;
try {
  const api = new ApiClient(stack.gatewayUrl);
  const organizer = await api.signIn('organizer@marquee.test', 'marquee-organizer');
  const asOrganizer = api.as(organizer.token);
  const venue = await asOrganizer.request<{ createVenue: { id: string } }>(
    `mutation { createVenue(input: { name: "Arena", address: "1 Bench Way", city: "Berlin", country: "DE", capacity: 100000 }) { id } }`,
  );
  const startsAt = new Date(Date.now() + 7 * 86_400_000);
  const event = await asOrganizer.request<{ createEvent: { id: string } }>(
    `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`,
    {
      i: {
        title: 'Benchmark Live',
        description: 'x',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timezone: 'Europe/Berlin',
        categories: ['music'],
        venueId: venue.createVenue.id,
      },
    },
  );
  const eventId = event.createEvent.id;
  const tier = await asOrganizer.request<{ addTicketTier: { id: string } }>(
    `mutation($e: ID!) { addTicketTier(eventId: $e, input: { name: "GA", priceCents: 100, currency: "EUR", capacity: 100000, maxPerOrder: 1 }) { id } }`,
    { e: eventId },
  );
  await asOrganizer.request(`mutation($id: ID!) { publishEvent(id: $id) { id } }`, { id: eventId });
  await stack.settle();

  // The measured gateway: its own process, in front of the stack's subgraphs, in production mode.
  const gatewayPort = await freePort();
  const liveId = registerOperation(join(manifestDir, 'manifest.json'), 'BenchAvailability', LIVE);
  gatewayProcess = spawn(
    pin ? 'taskset' : process.execPath,
    [...(pin ? ['-c', '0', process.execPath] : []), `${repoRoot}gateway/dist/main.js`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        GATEWAY_PORT: String(gatewayPort),
        OPS_PORT: String(await freePort()),
        HOST: '127.0.0.1',
        INTERNAL_SECRET: stack.internalSecret,
        JWKS_URL: stack.urls.users.replace('/graphql', '/.well-known/jwks.json'),
        EVENTS_URL: stack.urls.events,
        TICKETS_URL: stack.urls.tickets,
        USERS_URL: stack.urls.users,
        RECOMMENDATIONS_URL: stack.urls.recommendations,
        PERSISTED_MANIFEST_PATH: join(manifestDir, 'manifest.json'),
        // Every subscriber comes from one address: the per-client caps would measure themselves.
        WS_CONNECTIONS_PER_IP: '1000000',
        SUBSCRIPTIONS_PER_IP: '1000000',
        RATE_LIMIT_IP_PER_MINUTE: '1000000000',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000000',
      },
    },
  );
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  await waitForHealth(gatewayUrl.replace('/graphql', '/health'));

  const load = spawn(
    pin ? 'taskset' : process.execPath,
    [
      ...(pin ? ['-c', '1', process.execPath] : []),
      fileURLToPath(new URL('./subscriber-load.js', import.meta.url)),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  client = load;

  const targets = {
    gateway: {
      url: gatewayUrl.replace(/^http/, 'ws'),
      // As the partner guide says: graphql-ws needs a `query`, so an empty one and the id.
      payload: { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: liveId } } },
      connectionParams: {},
    },
    direct: {
      url: stack.urls.tickets.replace(/^http/, 'ws'),
      payload: {
        query: `subscription($eventId: ID!) { ticketAvailabilityChanged(eventId: $eventId) { eventId available sold held status event { id } } }`,
      },
      connectionParams: { [INTERNAL_HEADER]: stack.internalSecret },
    },
  };

  // One buyer per sale, as in a real sale (a buyer may hold one ticket of this tier at a time).
  let sale = 0;
  const nextBuyer = async () => {
    sale += 1;
    const signUp = await api.request<{ signUp: { accessToken: string } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`,
      {
        i: {
          email: `buyer-${sale}@bench.marquee.test`,
          password: 'bench-buyer-password',
          name: `Buyer ${sale}`,
        },
      },
    );
    return api.as(signUp.signUp.accessToken);
  };
  const results: Row[] = [];
  for (const count of SIZES) {
    for (const target of ['direct', 'gateway'] as const) {
      const spec = targets[target];
      await ask(
        load,
        {
          kind: 'start',
          count,
          url: spec.url,
          payload: { ...spec.payload, variables: { eventId } },
          connectionParams: spec.connectionParams,
        },
        'ready',
      );
      const rss = sampleRss(target === 'gateway' ? gatewayProcess.pid! : process.pid);
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const buyer = await nextBuyer();
        await new Promise((r) => setTimeout(r, 300));
        await ask(load, { kind: 'arm' }, 'armed');
        const since = now();
        await buyer.request(
          `mutation($e: ID!, $t: ID!, $k: String!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: $k) { id } }`,
          { e: eventId, t: tier.addTicketTier.id, k: randomUUID() },
        );
        const result = await ask<Round>(load, { kind: 'collect', since, timeoutMs: 60_000 }, 'result');
        rounds.push({
          received: result.received,
          expected: result.expected,
          p50: round1(result.p50),
          p99: round1(result.p99),
          max: round1(result.max),
        });
      }
      const peakRssMb = rss.stop();
      await ask(load, { kind: 'stop' }, 'stopped');
      await new Promise((r) => setTimeout(r, 1_000));
      results.push({
        target,
        subscribers: count,
        rounds,
        p99Ms: median(rounds.map((r) => r.p99)),
        p50Ms: median(rounds.map((r) => r.p50)),
        peakRssMb,
      });
    }
  }

  const at = (target: string, count: number) =>
    results.find((r) => r.target === target && r.subscribers === count);
  const missed = results.flatMap((r) =>
    r.rounds
      .filter((round) => round.received < round.expected)
      .map((round) => `${r.target} x${r.subscribers}: ${round.received} of ${round.expected} received`),
  );
  const output = {
    benchmark: 'subscriptions',
    machine: { cpus: cpus().length, node: process.version },
    pinning: pin
      ? 'gateway on CPU 0, load client on CPU 1 (taskset); subgraphs and PostgreSQL unpinned'
      : 'none (one CPU)',
    gateway: 'NODE_ENV=production; the subscription registered in the manifest and sent by id',
    payload:
      'Availability with one federated field (event.title, from the events subgraph) through the gateway; event.id straight at tickets',
    note: 'latency = sale request sent -> payload received; direct rows report the orchestrator RSS (tickets shares it with the other subgraphs)',
    rounds: ROUNDS,
    missed,
    results,
    ratios: Object.fromEntries(
      SIZES.map((count) => [
        `p99GatewayOverDirect_${count}`,
        round2(at('gateway', count)!.p99Ms / at('direct', count)!.p99Ms),
      ]),
    ),
  };
  console.log(JSON.stringify(output, null, 2));
  if (missed.length > 0) {
    console.error(`bench:subscriptions: subscribers missed sales: ${missed.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  client?.kill();
  gatewayProcess?.kill('SIGTERM');
  rmSync(manifestDir, { recursive: true, force: true });
  await stop();
}
process.exit();

interface Round {
  received: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
}
interface Row {
  target: 'gateway' | 'direct';
  subscribers: number;
  rounds: Round[];
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
}

/**
 * Writes the committed manifest plus one operation to `path` (PERSISTED_MANIFEST_PATH for the
 * gateway) and returns the operation's id, the SHA-256 of its body as the manifest requires.
 */
function registerOperation(path: string, name: string, body: string): string {
  const committed = join(repoRoot, 'operations/persisted-query-manifest.json');
  const manifest = JSON.parse(readFileSync(committed, 'utf8')) as { operations: object[] };
  const id = createHash('sha256').update(body).digest('hex');
  manifest.operations.push({ id, name, type: 'subscription', body });
  writeFileSync(path, JSON.stringify(manifest));
  return id;
}

function ask<T = unknown>(child: ChildProcess, command: object, expect: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { kind: string; error?: string }) => {
      if (message.kind === 'failed') {
        child.off('message', onMessage);
        reject(new Error(message.error));
      } else if (message.kind === expect) {
        child.off('message', onMessage);
        resolve(message as T);
      }
    };
    child.on('message', onMessage);
    child.send(command);
  });
}

function sampleRss(pid: number) {
  let peak = 0;
  const read = () => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  };
  read();
  const timer = setInterval(read, 100);
  return {
    stop() {
      clearInterval(timer);
      read();
      return Math.round(peak);
    },
  };
}

async function waitForHealth(url: string) {
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway did not become healthy at ${url}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round1(value: number) {
  return Math.round(value * 10) / 10;
}

function round2(value: number) {
  return Math.round(value * 100) / 100;
}
