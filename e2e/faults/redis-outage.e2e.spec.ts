import { eventually } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../fixtures.js';
import { ORGANIZER } from '../harness.js';
import type { Client } from 'graphql-ws';
import { collect, wsClient, type Collected } from '../live.js';
import { codesOf, gatewayClient, post, sleep, Tally, uncleanErrors, type Answer } from './client.js';
import { startServices, type Services } from './services.js';

/**
 * 1,000 checkouts while the private Redis (the bus, live signals, the gateway's shared
 * counters) crashes part-way and comes back empty. Orders live in Postgres, so none may be
 * lost or double-charged; the outbox holds what the bus could not take and delivers it later;
 * live subscribers end up showing exactly what the database says.
 */
const ATTEMPTS = 1_000;
const CONCURRENCY = 12;
const KILL_AFTER = 300; // attempts finished when Redis dies
const OUTAGE_MS = 2_500;
const GA = 1_000; // 900 attempts: every one fits
const FRONT = 50; // 100 attempts: half are turned away (SOLD_OUT), the capacity check under load

let services: Services;
let sql: postgres.Sql;
let eventId: string;
let tierIds: string[];
const buyers: { token: string; userId: string }[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  services = await startServices();
  sql = postgres(services.databaseUrl, { max: 2, onnotice: () => {} });
  const client = gatewayClient(services.gatewayUrl);
  const organizer = await client.signIn(ORGANIZER.email, ORGANIZER.password);
  ({ eventId, tierIds } = await createEvent(client.asStack, organizer.token, {
    title: 'Redis Outage Live',
    tiers: [
      { name: 'GA', priceCents: 1_000, capacity: GA },
      { name: 'Front', priceCents: 5_000, capacity: FRONT },
    ],
  }));
  for (let i = 0; i < 8; i++) buyers.push(await client.signUp(`redis-buyer-${i}@example.com`));
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await sql?.end();
  await services?.stop();
});

const RESERVE = `mutation($e: ID!, $t: ID!, $k: String!) {
  reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: $k) { id } }`;
const CHECKOUT = `mutation($r: ID!, $k: String!) {
  checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) { id status tickets { code } } }`;
const LIVE = `subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) {
  capacity sold held available tiers { tierId capacity sold held available } } }`;
type Availability = {
  capacity: number;
  sold: number;
  held: number;
  available: number;
  tiers: { tierId: string; capacity: number; sold: number; held: number; available: number }[];
};
type Live = { ticketAvailabilityChanged: Availability };

interface Attempt {
  phase: 'before' | 'outage' | 'after';
  tier: 'GA' | 'Front';
  reserve?: Answer<{ reserveTickets: { id: string } }>;
  checkout?: Answer<{ checkout: { id: string; status: string; tickets: { code: string }[] } }>;
}

/** Availability as the database has it: counters per tier, checked against the ledger and tickets. */
async function fromDatabase(): Promise<Availability> {
  const tiers = await sql<{ tierId: string; capacity: number; sold: number; held: number }[]>`
    select id as "tierId", capacity, sold, held from tickets.ticket_tiers where event_id = ${eventId} order by created_at`;
  const ledger = await sql<{ tierId: string; sold: number; held: number }[]>`
    select tier_id as "tierId", sum(sold_delta)::int as sold, sum(held_delta)::int as held
    from tickets.inventory_ledger where event_id = ${eventId} group by tier_id`;
  const issued = await sql<{ tierId: string; n: number }[]>`
    select t.tier_id as "tierId", count(*)::int as n from tickets.tickets t join tickets.orders o on o.id = t.order_id
    where o.event_id = ${eventId} and o.status = 'CONFIRMED' and t.status = 'VALID' group by t.tier_id`;
  const holds = await sql<{ tierId: string; n: number }[]>`
    select i.tier_id as "tierId", sum(i.quantity)::int as n from tickets.reservation_items i
    join tickets.reservations r on r.id = i.reservation_id
    where r.event_id = ${eventId} and r.status = 'HELD' group by i.tier_id`;
  for (const tier of tiers) {
    expect(tier.sold + tier.held).toBeLessThanOrEqual(tier.capacity);
    expect(ledger.find((l) => l.tierId === tier.tierId)).toMatchObject({ sold: tier.sold, held: tier.held });
    expect(issued.find((t) => t.tierId === tier.tierId)?.n ?? 0).toBe(tier.sold);
    expect(holds.find((h) => h.tierId === tier.tierId)?.n ?? 0).toBe(tier.held);
  }
  const sum = (key: 'capacity' | 'sold' | 'held') => tiers.reduce((n, t) => n + t[key], 0);
  return {
    capacity: sum('capacity'),
    sold: sum('sold'),
    held: sum('held'),
    available: sum('capacity') - sum('sold') - sum('held'),
    tiers: tiers.map((t) => ({ ...t, available: t.capacity - t.sold - t.held })),
  };
}

/** A graphql-ws subscriber through the gateway, closed in afterAll whatever happens. */
function subscriber(): Collected<Live> {
  const client = wsClient(services.gatewayUrl);
  clients.push(client);
  return collect<Live>(client, LIVE, { e: eventId });
}

describe('Redis crashing during 1,000 checkouts', () => {
  it('loses no order, charges no failed checkout, delivers every outbox row, and live views converge', async () => {
    const liveBefore = subscriber();
    await liveBefore.waitFor(1);

    const attempts: Attempt[] = [];
    const tally = new Tally();
    let phase: Attempt['phase'] = 'before';
    let next = 0;
    let finished = 0;
    const worker = async () => {
      for (let i = next++; i < ATTEMPTS; i = next++) {
        const buyer = buyers[i % buyers.length]!;
        const attempt: Attempt = { phase, tier: i % 10 === 0 ? 'Front' : 'GA' };
        attempts.push(attempt);
        const tierId = tierIds[attempt.tier === 'Front' ? 1 : 0];
        const reserve = { e: eventId, t: tierId, k: `r-${i}` };
        attempt.reserve = await post(services.gatewayUrl, RESERVE, reserve, buyer.token);
        tally.add(attempt.reserve);
        const reservationId = attempt.reserve.data?.reserveTickets.id;
        if (reservationId) {
          const pay = { r: reservationId, k: `c-${i}` };
          attempt.checkout = await post(services.gatewayUrl, CHECKOUT, pay, buyer.token);
          tally.add(attempt.checkout);
        }
        finished += 1;
      }
    };
    const confirmedIn = (of: Attempt[]) =>
      of.flatMap((a) =>
        a.checkout?.data?.checkout.status === 'CONFIRMED' ? [a.checkout.data.checkout.id] : [],
      );
    const report: Record<string, unknown> = {};
    try {
      const workers = Array.from({ length: CONCURRENCY }, worker);
      await Promise.race([
        Promise.all(workers),
        (async () => {
          while (finished < KILL_AFTER) await sleep(10);
        })(),
      ]);
      await services.redis.kill();
      phase = 'outage';
      report.ticketsReadyDuringOutage = await fetch(`${services.base('tickets')}/ready`).then(
        (r) => r.status,
      );
      await sleep(OUTAGE_MS);
      await services.redis.start();
      const redisBackAt = new Date();
      phase = 'after';
      await Promise.all(workers);
      const liveAfter = subscriber(); // connected after the outage

      // Every outbox row of every service reaches the bus (they wait in Postgres meanwhile).
      const undelivered = () =>
        sql<{ n: number }[]>`select (select count(*) from tickets.outbox where published_at is null)
          + (select count(*) from events.outbox where published_at is null)
          + (select count(*) from recommendations.outbox where published_at is null) as n`.then((r) =>
          Number(r[0]!.n),
        );
      report.undeliveredWhenLoadEnded = await undelivered();
      await eventually(async () => expect(await undelivered()).toBe(0), 40_000);
      report.undeliveredAfterRecovery = await undelivered();

      // No order lost: what the API confirmed is CONFIRMED with its ticket; nothing was charged
      // for a checkout the API said failed; no saga is left half-way.
      const confirmed = confirmedIn(attempts);
      const found = await sql<{ id: string; tickets: number }[]>`
        select o.id, count(t.id)::int as tickets from tickets.orders o join tickets.tickets t on t.order_id = o.id
        where o.id in ${sql(confirmed)} and o.status = 'CONFIRMED' group by o.id`;
      const orders = await sql<{ status: string; payment: string; n: number }[]>`
        select status, payment_state as payment, count(*)::int as n
        from tickets.orders where event_id = ${eventId} group by 1, 2`;
      report.orders = { confirmedByApi: confirmed.length, confirmedFound: found.length, byStatus: orders };
      expect(found.length).toBe(confirmed.length);
      expect(found.every((o) => o.tickets === 1)).toBe(true);
      expect(
        orders.filter((o) => o.status === 'PENDING' || (o.status !== 'CONFIRMED' && o.payment === 'CHARGED')),
      ).toEqual([]);
      expect(orders.filter((o) => o.status === 'CONFIRMED').reduce((n, o) => n + o.n, 0)).toBe(
        confirmed.length,
      );

      // Every answer was HTTP 200; every error coded and clean; only Front ever sold out.
      const answers: Answer<unknown>[] = attempts.flatMap((a) => [a.reserve ?? [], a.checkout ?? []].flat());
      const turnedAway = attempts.filter((a) => !a.reserve?.data);
      const failedCheckouts = attempts.filter(
        (a) => a.checkout && a.checkout.data?.checkout.status !== 'CONFIRMED',
      );
      report.soldOut = turnedAway.length;
      report.failedCheckouts = failedCheckouts.map((a) => codesOf(a.checkout!));
      expect(answers.flatMap(uncleanErrors)).toEqual([]);
      expect(tally.byStatus).toEqual({ 200: tally.sent });
      expect(turnedAway.filter((a) => a.tier !== 'Front' || codesOf(a.reserve!)[0] !== 'CONFLICT')).toEqual(
        [],
      );

      // Live views, before and after the outage, converge on the database's availability, and
      // never showed more sold + held than capacity on the way.
      const expected = await fromDatabase();
      report.availability = expected;
      expect(expected.sold).toBe(confirmed.length);
      const converge = (live: Collected<Live>) =>
        eventually(
          async () => expect(live.values.at(-1)?.ticketAvailabilityChanged).toEqual(expected),
          20_000,
        );
      await Promise.all([converge(liveBefore), converge(liveAfter)]);
      report.liveValues = { before: liveBefore.values.length, after: liveAfter.values.length };
      expect(liveBefore.errors).toEqual([]);
      const overbooked = liveBefore.values.flatMap((v) =>
        v.ticketAvailabilityChanged.tiers.filter((t) => t.sold + t.held > t.capacity),
      );
      expect(overbooked).toEqual([]);

      // Consumers survive Redis coming back empty: what was published since reaches them.
      const publishedSince = await sql<{ id: string }[]>`
        select id::text from tickets.outbox
        where topic = 'tickets.order-confirmed' and published_at > ${redisBackAt}`;
      const ids = publishedSince.map((r) => `tickets:${r.id}`);
      const consumed = () =>
        sql<{ n: number }[]>`select count(*)::int as n from recommendations.inbox
          where consumer = 'recommendations:order-confirmed' and message_id in ${sql(ids)}`.then(
          (r) => r[0]!.n,
        );
      expect(ids.length).toBeGreaterThan(0);
      await eventually(async () => expect(await consumed()).toBe(ids.length), 20_000).finally(async () => {
        report.consumedAfterRestart = { published: ids.length, consumed: await consumed() };
      });
      expect(services.unexpectedExits()).toEqual([]);
    } finally {
      const byPhase = (p: Attempt['phase']) => {
        const of = attempts.filter((a) => a.phase === p);
        return { attempts: of.length, confirmed: confirmedIn(of).length };
      };
      console.log(
        JSON.stringify({
          suite: 'redis-outage',
          attempts: attempts.length,
          requests: { sent: tally.sent, byStatus: tally.byStatus, byCode: tally.byCode },
          phases: { before: byPhase('before'), outage: byPhase('outage'), after: byPhase('after') },
          outageMs: OUTAGE_MS,
          ...report,
        }),
      );
    }
  }, 150_000);
});
