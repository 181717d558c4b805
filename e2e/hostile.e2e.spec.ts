import { INTERNAL_HEADER } from '@marquee/auth';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ADMIN, ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { allCases, documentCases, rawCases, type GeneratedCase } from './hostile/cases.js';
import { inPool, problemWith, send } from './hostile/check.js';
import { Prng } from './hostile/prng.js';
import { introspect } from './hostile/schema.js';
import { BAD_IDS, toJson, wrongValues } from './hostile/values.js';
import { RawGraphQLWs, wellFormedSubscribe, wsProblem } from './hostile/ws.js';

/**
 * Hostile input, generated from a fixed seed (the same requests on every run): bombs, wrong
 * types and hostile values for every argument of every schema, malformed bodies and bytes, odd
 * methods, headers and query strings, persisted-query junk, huge bodies. Sent to the gateway
 * and straight to each subgraph with the internal credential, as the gateway calls them. Every
 * answer must be below 500 (413/431 where size is the point) and JSON with coded errors (or
 * data, when the input was valid after all), without stack traces, paths or SQL.
 */

const SUBGRAPHS = ['users', 'events', 'tickets', 'recommendations'] as const;
const GATEWAY_LIMIT = 1_000_000;
const SUBGRAPH_LIMIT = 1_048_576;
const CONCURRENCY = 8;

let stack: TestStack;
let adminToken: string;
const schemas = new Map<string, GraphQLSchema>();
const counts = new Map<string, number>();

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  limit: number;
  entity: string;
}
const targets = (): Target[] => [
  { name: 'gateway', url: stack.gatewayUrl, headers: {}, limit: GATEWAY_LIMIT, entity: 'Event' },
  ...SUBGRAPHS.map((name) => ({
    name,
    url: stack.urls[name],
    headers: { [INTERNAL_HEADER]: stack.internalSecret },
    limit: SUBGRAPH_LIMIT,
    entity: name === 'users' ? 'User' : 'Event',
  })),
];

beforeAll(async () => {
  // Anonymous requests are rate-limited per IP; this suite is one IP sending thousands.
  stack = await startTestStack({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000' });
  adminToken = (await stack.signIn(ADMIN.email, ADMIN.password)).token;
  // Some data, so that hostile arguments of nested fields reach resolvers (events { edges { node { ... } } }).
  await createEvent(stack, (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token);
  for (const target of targets()) schemas.set(target.name, await introspect(target.url, target.headers));
});
afterAll(() => stack?.stop());

async function run(target: Target, cases: GeneratedCase[]): Promise<string[]> {
  const problems: string[] = [];
  await inPool(cases, CONCURRENCY, async ({ request, signedIn, mustFail }) => {
    const headers = { ...target.headers, ...(signedIn ? { authorization: `Bearer ${adminToken}` } : {}) };
    const answer = await send(target.url, request, headers);
    const problem = problemWith({ target: target.name, request, ...(mustFail ? { mustFail } : {}) }, answer);
    counts.set(request.category, (counts.get(request.category) ?? 0) + 1);
    if (problem) problems.push(`${target.name} [${request.category}] ${request.label}: ${problem}`);
  });
  return problems;
}

// HOSTILE_SEED=<n> explores other inputs (CI keeps the fixed default, so a failure reproduces).
const BASE_SEED = Number(process.env.HOSTILE_SEED ?? 2026);
const seedOf = (name: string) => [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, BASE_SEED);

describe('hostile input', () => {
  it.each(['gateway', ...SUBGRAPHS])('%s answers every generated request cleanly', async (name) => {
    const target = targets().find((t) => t.name === name)!;
    const cases = allCases(schemas.get(name)!, seedOf(name), target.entity, target.limit);
    expect(cases.length).toBeGreaterThan(150);
    const problems = await run(target, cases);
    expect(problems).toEqual([]);
  });

  it('subgraphs refuse all of it without the internal credential (401 UNAUTHENTICATED)', async () => {
    for (const name of SUBGRAPHS) {
      const rng = new Prng(seedOf(`${name}-outsider`));
      const cases = rng.sample(
        [...documentCases(schemas.get(name)!, rng), ...rawCases(SUBGRAPH_LIMIT)].filter(
          // (Path suffixes are normalised by fetch, and may leave /graphql altogether.)
          ({ request }) => !request.sizeStatuses && !request.bodyless && !request.suffix?.startsWith('/'),
        ),
        25,
      );
      for (const { request } of cases) {
        const answer = await send(stack.urls[name], request, {});
        counts.set('without the credential', (counts.get('without the credential') ?? 0) + 1);
        expect(answer.status, `${name} ${request.label}`).toBe(401);
        expect(JSON.parse(answer.text)).toMatchObject({
          errors: [{ extensions: { code: 'UNAUTHENTICATED' } }],
        });
      }
    }
  });

  it('graphql-ws: hostile subscribe messages get coded errors and leave the connection open', async () => {
    const schema = schemas.get('gateway')!;
    const eventIdType = schema.getSubscriptionType()!.getFields().ticketAvailabilityChanged!.args[0]!.type;
    const subscription = 'subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { available } }';
    const payloads: unknown[] = [
      // Messages over 1 MB close the connection (1009, tested below); HTTP covers those documents.
      ...documentCases(schema, new Prng(7))
        .filter(({ request }) => String(request.body).length < 900_000)
        .map(({ request }) => JSON.parse(String(request.body)) as unknown),
      ...wrongValues(eventIdType).map(
        (e) => JSON.parse(toJson({ query: subscription, variables: { e } })) as unknown,
      ),
      // Ids that cannot name an event: the subscription is refused (NOT_FOUND), not left hanging.
      ...BAD_IDS.filter((id) => !/^[0-9a-f-]{36}$/i.test(id)).map((e) => ({
        query: subscription,
        variables: { e },
      })),
      { query: subscription },
      { query: subscription, variables: '{"e":"x"}' },
      { query: subscription, variables: { e: 'x' }, operationName: 7 },
      { query: 5 },
      { query: '' },
      {},
      'not an object',
      { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } },
      { query: '', extensions: { persistedQuery: { version: 3, sha256Hash: 'nope' } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } },
      { query: 'subscription { nope }' },
      {
        query: `subscription { a: ticketAvailabilityChanged(eventId: "x") { available } b: ticketAvailabilityChanged(eventId: "y") { available } }`,
      },
      { query: 'mutation { createVenue(input: {}) { id } }' },
      { query: '{ event(id: "\' OR 1=1 --") { id } }' },
    ];
    // graphql-ws itself refuses a subscribe message of the wrong shape (query not a string,
    // variables not an object...): the protocol closes that connection with 4400.
    const malformed = payloads.filter((p) => !wellFormedSubscribe(p));
    await Promise.all(
      malformed.map(async (payload) => {
        const ws = await RawGraphQLWs.open(stack.gatewayUrl);
        await ws.init({});
        ws.send({ id: 'm', type: 'subscribe', payload });
        expect((await ws.closed).code, JSON.stringify(payload).slice(0, 80)).toBe(4400);
      }),
    );
    const ws = await RawGraphQLWs.open(stack.gatewayUrl);
    await ws.init({});
    const problems: string[] = [];
    const wellFormed = payloads.filter(wellFormedSubscribe);
    for (let i = 0; i < wellFormed.length; i += CONCURRENCY) {
      const batch = wellFormed.slice(i, i + CONCURRENCY);
      batch.forEach((payload, j) => ws.send({ id: `h${i + j}`, type: 'subscribe', payload }));
      const answers = await Promise.all(batch.map((_, j) => ws.answer(`h${i + j}`)));
      answers.forEach((frames, j) => {
        const problem = wsProblem(frames);
        if (problem) problems.push(`h${i + j} ${JSON.stringify(batch[j]).slice(0, 80)}: ${problem}`);
      });
    }
    expect(malformed.length).toBeGreaterThan(3);
    counts.set('graphql-ws subscribe', payloads.length);
    expect(problems).toEqual([]);
    expect(ws.isOpen).toBe(true);
    ws.send({ id: 'ok', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await ws.answer('ok'))?.[0]).toMatchObject({
      type: 'next',
      payload: { data: { __typename: 'Query' } },
    });
    ws.close();
  });

  it('graphql-ws: protocol junk closes the connection with the protocol close code', async () => {
    const cases: [string, (ws: RawGraphQLWs) => void | Promise<void>, number][] = [
      ['not JSON', (ws) => ws.send('{"type":'), 4400],
      ['binary frame', (ws) => ws.send('{"type":"connection_init"}', true), 4400],
      ['unknown message type', (ws) => ws.send({ type: 'hello' }), 4400],
      [
        'subscribe without an id',
        (ws) => ws.send({ type: 'subscribe', payload: { query: '{ __typename }' } }),
        4400,
      ],
      [
        'subscribe before connection_init',
        (ws) => ws.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }),
        4401,
      ],
      [
        'a token that is not one',
        (ws) =>
          ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${'x'.repeat(5_000)}` } }),
        4403,
      ],
      [
        'a partner key that is not one',
        (ws) => ws.send({ type: 'connection_init', payload: { 'x-api-key': 'mq_nope' } }),
        4403,
      ],
      [
        'connection_init twice',
        async (ws) => {
          await ws.init({});
          ws.send({ type: 'connection_init', payload: {} });
        },
        4429,
      ],
      [
        'a 2 MB message',
        (ws) => ws.send({ type: 'connection_init', payload: { x: 'x'.repeat(2_000_000) } }),
        1009,
      ],
    ];
    for (const [label, act, code] of cases) {
      const ws = await RawGraphQLWs.open(stack.gatewayUrl);
      await act(ws);
      expect((await ws.closed).code, label).toBe(code);
    }
    counts.set('graphql-ws protocol junk', cases.length);
  });

  it('Server-Sent Events: hostile operations end the stream with coded errors', async () => {
    const cases = documentCases(schemas.get('gateway')!, new Prng(11)).slice(0, 30);
    const problems: string[] = [];
    for (const { request } of cases) {
      const sse = { ...request, headers: { ...request.headers, accept: 'text/event-stream' } };
      const problem = problemWith({ target: 'gateway', request: sse }, await send(stack.gatewayUrl, sse, {}));
      if (problem) problems.push(`${request.label}: ${problem}`);
    }
    counts.set('server-sent events', cases.length);
    expect(problems).toEqual([]);
  });

  it('sent at least 1,000 hostile requests, and every service is still healthy and answering', async () => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`hostile requests by category (total ${total}):`, Object.fromEntries([...counts].sort()));
    expect(total).toBeGreaterThanOrEqual(1_000);
    for (const url of [stack.gatewayUrl, ...Object.values(stack.urls)]) {
      const health = await fetch(url.replace(/\/graphql$/, '/health'));
      expect(health.status).toBe(200);
    }
    const events = await stack.call<{ events: { totalCount: number } }>(
      '{ events(first: 1) { totalCount } }',
    );
    expect(events.errors).toBeUndefined();
    expect(events.data!.events.totalCount).toBeGreaterThanOrEqual(1);
  });
});
