/**
 * `npm run bench:checkout`: the tickets subgraph under load, driven over HTTP as the gateway
 * drives it (internal credential, access tokens), on a fresh database. Prints one JSON document.
 *
 * (a) contention: 2,000 buyers reserve one ticket each, all at once, on one tier of 100 seats;
 *     then every holder pays. Counts held, sold, oversold (must be 0) and outcomes by code.
 * (b) throughput: buyers spread over 50 tiers reserve, then check out with a bounded number
 *     of requests in flight; confirmed checkouts per second is the headline figure.
 *
 * The subgraph runs on this process's main thread, the load generator on a worker thread.
 * A warm-up (500 holds and checkouts on a tier of its own) precedes the measurements.
 * Exits 1 when what the README promises did not hold: a seat oversold, counters that disagree
 * with the ledger, an outcome other than HELD / CONFLICT / CONFIRMED, a deadlock.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { startBenchWorld, type BenchWorld } from './bench-world.js';
import { startLoad } from './load-client.js';
import type { LoadRequest } from './load-worker.js';
import { inventoryCheck, metered, summarise } from './measure.js';

// BENCH_SMOKE=1: 200 buyers on the 100 seats, 200 checkouts, 50 warm-up purchases (CI checks that it still runs).
const SMOKE = process.env.BENCH_SMOKE === '1';
const CONTENTION_ATTEMPTS = Number(process.env.BENCH_CONTENTION_ATTEMPTS ?? (SMOKE ? 200 : 2_000));
const CONTENTION_SEATS = 100;
const TIERS = 50;
const EVENTS = 10;
const CHECKOUTS = Number(process.env.BENCH_CHECKOUTS ?? (SMOKE ? 200 : 5_000));
const WARMUP = SMOKE ? 50 : 500;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);

const ADD_TIER = `mutation($e: ID!, $i: TierInput!) { addTicketTier(eventId: $e, input: $i) { id } }`;
const RESERVE = `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) {
  reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { id status expiresAt } }`;
const CHECKOUT = `mutation($r: ID!, $k: String!) {
  checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) { id status tickets { code } } }`;

type Load = ReturnType<typeof startLoad>;
interface Buyer {
  token: string;
  eventId: string;
  tierId: string;
}

async function addTiers(w: BenchWorld, count: number, events: number, capacity: number) {
  const organizerId = randomUUID();
  const organizer = await w.token(organizerId, ['ORGANIZER']);
  const eventIds: string[] = [];
  for (let i = 0; i < events; i++) eventIds.push(await w.publishEvent(organizerId));
  const tiers: { eventId: string; tierId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = eventIds[i % events]!;
    const input = { name: `Tier ${i}`, priceCents: 2500, currency: 'EUR', capacity, maxPerOrder: 10 };
    const reply = await w.call<{ addTicketTier: { id: string } }>(
      ADD_TIER,
      { e: eventId, i: input },
      organizer,
    );
    if (!reply.data) throw new Error(`addTicketTier failed: ${JSON.stringify(reply.errors)}`);
    tiers.push({ eventId, tierId: reply.data.addTicketTier.id });
  }
  return tiers;
}

/** One buyer (own user, own token) per request, spread round-robin over the tiers. */
const buyers = (w: BenchWorld, count: number, tiers: { eventId: string; tierId: string }[]) =>
  Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      ...tiers[i % tiers.length]!,
      token: await w.token(randomUUID()),
    })),
  );

const reserveRequest = (b: Buyer): LoadRequest => ({
  token: b.token,
  variables: { e: b.eventId, items: [{ tierId: b.tierId, quantity: 1 }], k: randomUUID() },
});

/** Pays for every reservation that was made; returns the checkout requests. */
const checkoutRequests = (crowd: Buyer[], results: (Record<string, unknown> | null)[]): LoadRequest[] =>
  crowd.flatMap((b, i) => {
    const id = results[i]?.id;
    return typeof id === 'string' ? [{ token: b.token, variables: { r: id, k: randomUUID() } }] : [];
  });

/** Statements per request, by kind, when BENCH_COUNT_STATEMENTS is set. */
function perRequest(counts: Record<string, number>, requests: number) {
  const entries = Object.entries(counts);
  if (entries.length === 0) return {};
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return {
    statementsPerRequest: Math.round((total / requests) * 100) / 100,
    statementsByKind: Object.fromEntries(
      entries.map(([k, c]) => [k, Math.round((c / requests) * 100) / 100]),
    ),
  };
}

/**
 * A short warm-up on a tier of its own (JIT, connection pools, prepared statements), as a
 * server that has been up for a while would be when a popular sale opens.
 */
async function warmUp(w: BenchWorld, load: Load) {
  const tiers = await addTiers(w, 1, 1, 10_000);
  const crowd: Buyer[] = await buyers(w, WARMUP, tiers);
  const held = await load.run(RESERVE, crowd.map(reserveRequest), IN_FLIGHT);
  await load.run(CHECKOUT, checkoutRequests(crowd, held.results), IN_FLIGHT);
}

/** (a) Everyone at once on one tier of 100 seats. */
async function contention(w: BenchWorld, load: Load) {
  const [tier] = await addTiers(w, 1, 1, CONTENTION_SEATS);
  const crowd: Buyer[] = await buyers(w, CONTENTION_ATTEMPTS, [tier!]);
  const held = await metered(() => load.run(RESERVE, crowd.map(reserveRequest), crowd.length));
  const afterHolds = await inventoryCheck(w, tier!.tierId);
  const payments = checkoutRequests(crowd, held.result.results);
  const paid = await metered(() => load.run(CHECKOUT, payments, payments.length));
  const afterSales = await inventoryCheck(w, tier!.tierId);
  return {
    attempts: CONTENTION_ATTEMPTS,
    capacity: CONTENTION_SEATS,
    reserve: { ...summarise(held.result.run, crowd.length, held), ...afterHolds },
    checkout: { ...summarise(paid.result.run, payments.length, paid), ...afterSales },
    oversold: Math.max(afterHolds.oversold, afterSales.oversold),
  };
}

/** (b) Reserve, then check out, with IN_FLIGHT requests at a time across 50 tiers. */
async function throughput(w: BenchWorld, load: Load) {
  const tiers = await addTiers(w, TIERS, EVENTS, 10_000);
  const crowd: Buyer[] = await buyers(w, CHECKOUTS, tiers);
  const reserved = await metered(() => load.run(RESERVE, crowd.map(reserveRequest), IN_FLIGHT));
  const payments = checkoutRequests(crowd, reserved.result.results);
  const measured = payments;
  w.takeStatementCounts();
  const paid = await metered(() => load.run(CHECKOUT, measured, IN_FLIGHT));
  const statements = perRequest(w.takeStatementCounts(), measured.length);
  const checkout = { ...summarise(paid.result.run, measured.length, paid), ...statements };
  const checks = await Promise.all(tiers.map((t) => inventoryCheck(w, t.tierId)));
  return {
    tiers: TIERS,
    events: EVENTS,
    inFlight: IN_FLIGHT,
    reserve: summarise(reserved.result.run, crowd.length, reserved),
    checkout,
    confirmedCheckoutsPerSecond: checkout.perSecond.CONFIRMED ?? 0,
    oversold: checks.reduce((n, c) => n + c.oversold, 0),
    ledgerMatchesCounters: checks.every((c) => c.ledgerMatchesCounters),
  };
}

/** What must hold in every run: the invariants, and no outcome but the expected ones. */
function problems(report: {
  contention: Awaited<ReturnType<typeof contention>>;
  throughput: Awaited<ReturnType<typeof throughput>>;
  deadlocks: number;
}): string[] {
  const { contention: a, throughput: b } = report;
  const unexpected = (step: string, outcomes: Record<string, number>, allowed: string[]) =>
    Object.keys(outcomes)
      .filter((outcome) => !allowed.includes(outcome))
      .map((outcome) => `${step}: ${outcomes[outcome]} x ${outcome}`);
  return [
    ...(a.oversold > 0 ? [`contention: ${a.oversold} oversold`] : []),
    ...(b.oversold > 0 ? [`throughput: ${b.oversold} oversold`] : []),
    ...(a.checkout.ledgerMatchesCounters ? [] : ['contention: counters differ from the ledger']),
    ...(b.ledgerMatchesCounters ? [] : ['throughput: counters differ from the ledger']),
    ...unexpected('contention holds', a.reserve.outcomes, ['HELD', 'CONFLICT']),
    ...unexpected('contention checkouts', a.checkout.outcomes, ['CONFIRMED']),
    ...unexpected('throughput holds', b.reserve.outcomes, ['HELD']),
    ...unexpected('throughput checkouts', b.checkout.outcomes, ['CONFIRMED']),
    ...(report.deadlocks > 0 ? [`${report.deadlocks} deadlocks`] : []),
  ];
}

async function main() {
  const env: Record<string, string> = {};
  if (process.env.DB_POOL_MAX) env.DB_POOL_MAX = process.env.DB_POOL_MAX;
  const w = await startBenchWorld(env);
  const load = startLoad(w.url, w.internalSecret);
  try {
    const loadBefore = loadavg()[0]!;
    await warmUp(w, load);
    const a = await contention(w, load);
    const b = await throughput(w, load);
    const [stats] =
      await w.sql`select deadlocks::int as n from pg_stat_database where datname = current_database()`;
    const report = {
      benchmark: 'tickets checkout',
      machine: { cpus: cpus().length, node: process.version, loadAverage1m: [loadBefore, loadavg()[0]] },
      database: w.databaseKind,
      dbPoolMax: w.poolMax,
      contention: a,
      throughput: b,
      deadlocks: stats?.n ?? 0,
    };
    console.log(JSON.stringify(report, null, 2));
    const broken = problems(report);
    if (broken.length > 0) {
      console.error(`bench:checkout: ${broken.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await load.close();
    await w.stop();
  }
}

await main();
