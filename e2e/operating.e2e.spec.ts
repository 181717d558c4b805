import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { freshDatabase } from '@marquee/db/test-database';
import type { TestDatabase } from '@marquee/db/testing';
import { eventually, graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import { seedDemoAccounts } from '@marquee/users';
import { createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEvent } from './fixtures.js';
import { ATTENDEE, ORGANIZER, type TestStack } from './harness.js';
import { ancestors, startOtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { buildServices, freePort, startNode, type ChildProcess } from './processes.js';

/**
 * Operating Marquee as production does: `npm start`'s launcher (and a standalone service) in
 * child processes, with OTEL_* pointing at a collector here. Tracing is process-wide, and
 * signals end processes, so neither can be tested inside the test process.
 */
const INTERNAL_SECRET = 'operating-test-internal-secret';
const SERVER_KIND = 2;

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let database: TestDatabase;
let launcher: ChildProcess;
let gatewayUrl: string;

beforeAll(async () => {
  await buildServices();
  receiver = await startOtlpReceiver();
  database = await freshDatabase();
  await seedDemoAccounts(database.url, 'test');
  const ports = Object.fromEntries(
    await Promise.all(
      ['GATEWAY_PORT', 'USERS_PORT', 'EVENTS_PORT', 'TICKETS_PORT', 'RECOMMENDATIONS_PORT'].map(
        async (name) => [name, String(await freePort())] as const,
      ),
    ),
  );
  launcher = startNode('stack/dist/start.js', {
    ...ports,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    INTERNAL_SECRET,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  await launcher.waitForOutput(/Marquee is up/);
  gatewayUrl = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
}, 180_000);

afterAll(async () => {
  launcher?.kill('SIGKILL');
  await launcher?.exited;
  await receiver?.close();
  await database?.drop();
});

const call = <T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
) => graphql<T>(gatewayUrl, query, variables, { ...(token ? { token } : {}), headers });

async function signIn(email: string, password: string) {
  const res = await call<{ signIn: { accessToken: string; refreshToken: string } }>(
    `mutation SignIn($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken refreshToken } }`,
    { e: email, p: password },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.signIn;
}

const asStack = { call } as unknown as TestStack;
const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
const serviceOf = (spans: ReceivedSpan[], span: ReceivedSpan) =>
  [span, ...ancestors(spans, span)].find((s) => s.kind === SERVER_KIND)?.attributes['marquee.service'];

describe('the supergraph in production form', () => {
  let traceId: string;
  let eventId: string;
  let organizerToken: string;
  const requestId = `trace-probe-${randomUUID()}`;

  it('traces one query as one trace: gateway, subgraphs, Postgres', async () => {
    organizerToken = (await signIn(ORGANIZER.email, ORGANIZER.password)).accessToken;
    ({ eventId } = await createEvent(asStack, organizerToken));
    const res = await call(
      `query EventPage($id: ID!) { event(id: $id) { title venue { city } ticketTiers { name } organizer { name } } }`,
      { id: eventId },
      undefined,
      { 'x-request-id': requestId },
    );
    expect(res.errors).toBeUndefined();

    const subgraphs = ['events', 'tickets', 'users'];
    const spans = await eventually(async () => {
      const root = receiver.spans.find(
        (s) =>
          s.attributes['marquee.request_id'] === requestId && s.attributes['marquee.service'] === 'gateway',
      );
      expect(root).toBeDefined();
      traceId = root!.traceId;
      const trace = spansOf(traceId);
      const served = trace.filter((s) => s.kind === SERVER_KIND).map((s) => s.attributes['marquee.service']);
      expect(served).toEqual(expect.arrayContaining(['gateway', ...subgraphs]));
      for (const subgraph of subgraphs)
        expect(trace.some((s) => s.name === 'db.query' && serviceOf(trace, s) === subgraph)).toBe(true);
      return trace;
    }, 15_000);

    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['marquee']));
    for (const server of spans.filter(
      (s) => s.kind === SERVER_KIND && s.attributes['marquee.service'] !== 'gateway',
    )) {
      // Each subgraph request is a child of the gateway's fetch to it (traceparent travelled).
      const chain = ancestors(spans, server);
      expect(chain[0]!.scope).toBe('@opentelemetry/instrumentation-undici');
      expect(chain.some((s) => s.name === 'gateway.fetch')).toBe(true);
      expect(server.attributes['marquee.request_id']).toBe(requestId);
    }
    const queries = spans.filter((s) => s.name === 'db.query');
    for (const query of queries) {
      expect(query.attributes['db.system']).toBe('postgresql');
      expect(String(query.attributes['db.statement'])).not.toContain(eventId);
    }
  });

  it('logs each request as JSON with its trace id, request id and operation, and no secret', async () => {
    const attendee = await signIn(ATTENDEE.email, ATTENDEE.password);
    await call('query Me { me { name } }', {}, attendee.accessToken);
    const refused = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'mq_not-a-real-key-0123456789' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(refused.status).toBe(401);

    const probe = await eventually(async () => {
      const lines = launcher.logLines().filter((l) => l.request_id === requestId);
      expect(lines.map((l) => l.name)).toEqual(
        expect.arrayContaining(['gateway', 'events', 'tickets', 'users']),
      );
      return lines;
    });
    for (const line of probe) expect(line.trace_id).toBe(traceId);
    expect(probe.find((l) => l.name === 'gateway')).toMatchObject({ operation: 'EventPage' });
    expect(probe.find((l) => l.name === 'events')).toMatchObject({
      operation: expect.stringMatching(/^EventPage__events__/),
    });

    const output = launcher.output();
    for (const secret of [
      ORGANIZER.password,
      ATTENDEE.password,
      organizerToken,
      attendee.accessToken,
      attendee.refreshToken,
      'mq_not-a-real-key-0123456789',
      INTERNAL_SECRET,
    ])
      expect(output).not.toContain(secret);
  });

  it('on SIGTERM finishes the request in flight, refuses new connections, sends 1012 to subscribers, exits 0', async () => {
    const attendee = await signIn(ATTENDEE.email, ATTENDEE.password);
    const { eventId: liveEvent, tierIds } = await createEvent(asStack, organizerToken);
    const closeCodes: number[] = [];
    const client = createClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      on: { closed: (event) => void closeCodes.push((event as { code: number }).code) },
    });
    const firstValue = new Promise<void>((resolve) =>
      client.subscribe(
        {
          query: 'subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { available } }',
          variables: { e: liveEvent },
        },
        { next: () => resolve(), error: () => {}, complete: () => {} },
      ),
    );
    await firstValue;

    const held = await call<{ reserveTickets: { id: string } }>(
      `mutation($e: ID!, $t: ID!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: "slow-hold") { id } }`,
      { e: liveEvent, t: tierIds[0] },
      attendee.accessToken,
    );
    let settled = false;
    const checkout = call<{ checkout: { status: string; tickets: { code: string }[] } }>(
      `mutation($r: ID!) { checkout(reservationId: $r, paymentToken: "tok_slow", idempotencyKey: "slow-pay") { status tickets { code } } }`,
      { r: held.data!.reserveTickets.id },
      attendee.accessToken,
      { 'x-request-id': 'slow-checkout' },
    ).finally(() => (settled = true));
    // In flight: the order is written before the 5 s payment starts.
    const sql = postgres(database.url, { max: 1 });
    try {
      await eventually(async () => {
        const rows =
          await sql`select status from tickets.orders where reservation_id = ${held.data!.reserveTickets.id}`;
        expect(rows[0]?.status).toBe('PENDING');
      });
    } finally {
      await sql.end();
    }

    launcher.kill('SIGTERM');
    const port = Number(new URL(gatewayUrl).port);
    await eventually(async () => expect(await connectError(port)).toBe('ECONNREFUSED'));
    expect(settled).toBe(false); // refused while the checkout was still paying
    await eventually(async () => expect(closeCodes).toEqual([1012]));

    const paid: GraphQLResponse<{ checkout: { status: string; tickets: { code: string }[] } }> =
      await checkout;
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.checkout).toMatchObject({
      status: 'CONFIRMED',
      tickets: [{ code: expect.any(String) }],
    });
    expect(await launcher.exited).toBe(0);
    // Telemetry was flushed on the way out: the checkout's spans reached the collector.
    expect(receiver.spans.some((s) => s.attributes['marquee.request_id'] === 'slow-checkout')).toBe(true);
    await client.dispose();
  });
});

describe('a standalone service', () => {
  it('on SIGTERM drains, flushes its spans and exits 0', async () => {
    const port = await freePort();
    const users = startNode('subgraphs/users/dist/main.js', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      INTERNAL_SECRET,
      USERS_PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Nothing would be exported before shutdown but for the flush on the way out.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    try {
      const url = `http://127.0.0.1:${port}/graphql`;
      await eventually(
        () => fetch(url.replace('/graphql', '/health')).then((r) => expect(r.status).toBe(200)),
        20_000,
      );
      const res = await graphql(
        url,
        'query Probe { __typename }',
        {},
        {
          internalSecret: INTERNAL_SECRET,
          headers: { 'x-request-id': 'standalone-probe' },
        },
      );
      expect(res.errors).toBeUndefined();
      expect(receiver.spans.some((s) => s.attributes['marquee.request_id'] === 'standalone-probe')).toBe(
        false,
      );
      users.kill('SIGTERM');
      expect(await users.exited).toBe(0);
      const span = receiver.spans.find((s) => s.attributes['marquee.request_id'] === 'standalone-probe');
      expect(span).toMatchObject({ service: 'users', attributes: { 'graphql.operation.name': 'Probe' } });
    } finally {
      users.kill('SIGKILL');
    }
  });
});

/** The error code of a fresh TCP connection attempt (undefined when it connected). */
function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}
