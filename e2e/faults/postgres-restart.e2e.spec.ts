import { eventually } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../fixtures.js';
import { ORGANIZER } from '../harness.js';
import { codesOf, gatewayClient, post, sleep, Tally, uncleanErrors, type Answer } from './client.js';
import { startServices, SUBGRAPHS, type Services } from './services.js';

/**
 * The private PostgreSQL stopped (a fast shutdown: every connection cut) and started again on
 * the same port and data, under a read + write load through the gateway. Services stay up and
 * answer clean coded errors meanwhile, report themselves not ready, and reconnect by
 * themselves; checkouts caught half-way are finished or given back, never left charged.
 */
let services: Services;
let sql: postgres.Sql | undefined;
let eventId: string;
let tierId: string;
const buyers: { token: string }[] = [];

beforeAll(async () => {
  services = await startServices({
    // Short saga deadlines, so recovery finishes interrupted checkouts within the test.
    env: {
      tickets: {
        PAYMENT_TIMEOUT_MS: '2000',
        CHECKOUT_RECOVERY_AFTER_MS: '3000',
        RECOVERY_INTERVAL_MS: '500',
      },
    },
  });
  const client = gatewayClient(services.gatewayUrl);
  const organizer = await client.signIn(ORGANIZER.email, ORGANIZER.password);
  const created = await createEvent(client.asStack, organizer.token, {
    title: 'Postgres Restart',
    tiers: [{ name: 'GA', priceCents: 1_500, capacity: 1_000 }],
  });
  eventId = created.eventId;
  tierId = created.tierIds[0]!;
  for (let i = 0; i < 4; i++) buyers.push(await client.signUp(`pg-buyer-${i}@example.com`));
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await services?.stop();
});

const READ = `query($id: ID!) {
  events(first: 5) { totalCount edges { node { title organizer { name } } } }
  event(id: $id) { title ticketTiers { name available } availability { sold held available } }
}`;
const RESERVE = `mutation($e: ID!, $t: ID!, $k: String!) {
  reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: $k) { id } }`;
const CHECKOUT = `mutation($r: ID!, $k: String!) {
  checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) { id status } }`;
type Checkout = { checkout: { id: string; status: string } };

const allReadiness = () =>
  Promise.all(
    SUBGRAPHS.map((name) =>
      fetch(`${services.base(name)}/ready`, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.status,
        () => 0,
      ),
    ),
  );
/** Every subgraph's /ready answers `status`; resolves to the services that died meanwhile, if any. */
const readinessIs = (status: number, timeoutMs: number) =>
  eventually(async () => {
    const exits = services.unexpectedExits();
    if (exits.length === 0) expect(await allReadiness()).toEqual(SUBGRAPHS.map(() => status));
    return exits;
  }, timeoutMs);

type Phase = 'before' | 'outage' | 'after';

describe('PostgreSQL restarting under load', () => {
  it('keeps every service up, answers clean errors meanwhile, and recovers by itself', async () => {
    let phase: Phase = 'before';
    const tallies: Record<Phase, Tally> = { before: new Tally(), outage: new Tally(), after: new Tally() };
    const answers: Answer[] = [];
    // Checkouts whose outcome the client did not learn: retried with the same key afterwards.
    const unsettled: { reservationId: string; key: string; token: string }[] = [];
    const confirmed = new Set<string>();
    let stop = false;
    let n = 0;
    const record = (answer: Answer) => {
      answers.push(answer);
      tallies[phase].add(answer);
    };
    /** One hold + checkout; true when the API confirmed the order. */
    const purchase = async (token: string) => {
      const i = n++;
      const reserved = await post<{ reserveTickets: { id: string } }>(
        services.gatewayUrl,
        RESERVE,
        { e: eventId, t: tierId, k: `r-${i}` },
        token,
      );
      record(reserved);
      const reservationId = reserved.data?.reserveTickets.id;
      if (!reservationId) return false;
      const paid = await post<Checkout>(
        services.gatewayUrl,
        CHECKOUT,
        { r: reservationId, k: `c-${i}` },
        token,
      );
      record(paid);
      if (paid.data?.checkout.status === 'CONFIRMED') return !!confirmed.add(paid.data.checkout.id);
      unsettled.push({ reservationId, key: `c-${i}`, token });
      return false;
    };
    // Two readers and four buyers, each pausing 40 ms between requests.
    const loop = (work: () => Promise<unknown>) => async () => {
      while (!stop) {
        await work();
        await sleep(40);
      }
    };
    const reader = loop(async () => record(await post(services.gatewayUrl, READ, { id: eventId })));
    const load = [reader(), reader(), ...buyers.map((b) => loop(() => purchase(b.token))())];

    let figures: Record<string, unknown> | undefined;
    try {
      await sleep(1_500);
      expect(await allReadiness()).toEqual([200, 200, 200, 200]);
      phase = 'outage';
      const stoppedAt = Date.now();
      await services.postgres.stop();
      // Readiness follows (each service pings its database); liveness does not.
      expect(await readinessIs(503, 10_000)).toEqual([]);
      const notReadyAfterMs = Date.now() - stoppedAt;
      const health = await Promise.all(
        [...SUBGRAPHS, 'gateway' as const].map((name) =>
          fetch(`${services.base(name)}/health`).then((r) => r.status),
        ),
      );
      expect(health).toEqual([200, 200, 200, 200, 200]);
      await sleep(2_000);

      await services.postgres.start();
      phase = 'after';
      const upAt = Date.now();
      // Back without restarting anything: ready, queries and a checkout work (bounded waits).
      expect(await readinessIs(200, 15_000)).toEqual([]);
      const readyMs = Date.now() - upAt;
      const client = gatewayClient(services.gatewayUrl);
      await eventually(
        async () => expect((await client.call(READ, { id: eventId })).errors).toBeUndefined(),
        15_000,
      );
      const readMs = Date.now() - upAt;
      await eventually(async () => expect(await purchase(buyers[0]!.token)).toBe(true), 15_000);
      const checkoutMs = Date.now() - upAt;
      await sleep(1_000); // load on the recovered supergraph
      figures = {
        outageMs: upAt - stoppedAt,
        notReadyAfterStopMs: notReadyAfterMs,
        afterStart: { allReadyMs: readyMs, firstCleanReadMs: readMs, firstCheckoutConfirmedMs: checkoutMs },
      };
    } finally {
      stop = true;
      await Promise.all(load);
    }

    // Clean answers throughout: HTTP 200, every error coded, nothing leaked.
    expect(answers.flatMap(uncleanErrors).slice(0, 5)).toEqual([]);
    for (const tally of Object.values(tallies)) expect(tally.byStatus).toEqual({ 200: tally.sent });
    expect(tallies.outage.byCode.OK ?? 0).toBeLessThan(tallies.outage.sent); // the outage was felt
    // Every failure says "unavailable, retry": the subgraphs recognise a lost database.
    const outageCodes = Object.keys(tallies.outage.byCode).filter((c) => c !== 'OK');
    expect(outageCodes).toEqual(['SERVICE_UNAVAILABLE']);

    // A checkout whose answer was an error is retried with its key: it is now either the
    // order (finished by recovery) or a coded refusal, never a second charge.
    const retried: Record<string, number> = {};
    for (const { reservationId, key, token } of unsettled) {
      const again = await post<Checkout>(services.gatewayUrl, CHECKOUT, { r: reservationId, k: key }, token);
      const outcome = again.data?.checkout.status ?? codesOf(again).join(',');
      retried[outcome] = (retried[outcome] ?? 0) + 1;
      if (again.data?.checkout.status === 'CONFIRMED') confirmed.add(again.data.checkout.id);
    }
    expect(Object.keys(retried).filter((o) => o !== 'CONFIRMED' && o !== 'CONFLICT')).toEqual([]);

    sql = postgres(services.databaseUrl, { max: 1, onnotice: () => {} });
    const db = sql;
    // No saga left half-way (PENDING, or charged but not sold) once recovery has run.
    await eventually(async () => {
      const stray = await db`select id from tickets.orders where status = 'PENDING'
        or (status <> 'CONFIRMED' and payment_state = 'CHARGED')`;
      expect(stray).toEqual([]);
    }, 15_000);
    const [tier] = await db<{ sold: number; held: number; capacity: number }[]>`
      select sold, held, capacity from tickets.ticket_tiers where id = ${tierId}`;
    const [orders] = await db<{ n: number }[]>`
      select count(*)::int as n from tickets.orders where event_id = ${eventId} and status = 'CONFIRMED'`;
    console.log(
      JSON.stringify({
        suite: 'postgres-restart',
        requests: Object.fromEntries(
          Object.entries(tallies).map(([p, t]) => [
            p,
            { sent: t.sent, byStatus: t.byStatus, byCode: t.byCode },
          ]),
        ),
        ...figures,
        unsettledCheckoutsRetried: retried,
        orders: { confirmedByApi: confirmed.size, confirmedInDatabase: orders!.n, tier },
      }),
    );
    expect(orders!.n).toBe(confirmed.size);
    expect(tier!.sold).toBe(confirmed.size);
    expect(tier!.sold + tier!.held).toBeLessThanOrEqual(tier!.capacity);
    expect(services.unexpectedExits()).toEqual([]);
  }, 120_000);
});
