import { randomUUID } from 'node:crypto';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from '../harness.js';

/**
 * Hostile and greedy callers against trendingEvents and recordEventView, through the gateway.
 * The stack trusts one proxy hop, so `x-forwarded-for` plays many clients from one process.
 */
let stack: TestStack;
let organizer: string;
let db: postgres.Sql;

beforeAll(async () => {
  stack = await startTestStack({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000' });
  organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
  db = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

const VIEW = `mutation($e: ID!) { recordEventView(eventId: $e) }`;
const view = (eventId: string, client: string, token?: string) =>
  graphql(
    stack.gatewayUrl,
    VIEW,
    { e: eventId },
    { headers: { 'x-forwarded-for': client }, ...(token ? { token } : {}) },
  );

async function trending(city: string) {
  const res = await stack.call<{ trendingEvents: { id: string }[] }>(
    `query($c: String) { trendingEvents(city: $c, first: 10) { id } }`,
    { c: city },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.trendingEvents.map((e) => e.id);
}

const storedViews = async (eventIds: string[]) =>
  (
    await db`select count(*)::int as n from recommendations.interactions
      where kind = 'VIEW' and event_id = any(${eventIds}::uuid[])`
  )[0]!.n as number;

/** Live events in a city of their own, published and known to the recommendations catalog. */
async function liveEvents(city: string, n: number) {
  const events: string[] = [];
  for (let i = 0; i < n; i++) {
    events.push((await createEvent(stack, organizer, { city, startsInHours: 100 + i })).eventId);
  }
  await stack.settle();
  return events;
}

describe('trending holds against greedy viewers', () => {
  it('counts one anonymous client once per event per day: 500 views from one address do not move an event up', async () => {
    const [first, second, third, fourth] = await liveEvents('Hamelin', 4);
    // Four, three and two distinct visitors: a view more than the next is a clear lead (equal
    // counts would be ordered by how recent the views were).
    for (const [eventId, clients] of [
      [first!, 4],
      [second!, 3],
      [third!, 2],
    ] as const) {
      for (let c = 0; c < clients; c++)
        expect(errorCodes(await view(eventId, `198.51.100.${c + 1}`))).toEqual([]);
    }
    expect(await trending('Hamelin')).toEqual([first, second, third, fourth]);

    // One greedy client, 500 times, 25 at a time (also: concurrent duplicates insert once).
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => view(fourth!, '203.0.113.66')));
      for (const answer of answers) expect(answer.data).toEqual({ recordEventView: true });
    }
    expect(await trending('Hamelin')).toEqual([first, second, third, fourth]);
    expect(await storedViews([fourth!])).toBe(1);

    // Distinct visitors still count, each once: 1 + 4 is more than 4.
    for (let c = 0; c < 4; c++) {
      for (let again = 0; again < 3; again++) await view(fourth!, `192.0.2.${c + 1}`);
    }
    expect(await trending('Hamelin')).toEqual([fourth, first, second, third]);
    expect(await storedViews([fourth!])).toBe(5);
  });

  it('refuses views of ids that name no event, drafts and cancelled events, and stores nothing', async () => {
    const nothing = randomUUID();
    const unknown = await view(nothing, '198.51.100.20');
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    const draft = (await createEvent(stack, organizer, { city: 'Hamelin', publish: false })).eventId;
    const [cancelled] = await liveEvents('Hamelin', 1);
    const cancel = await stack.call(
      `mutation($id: ID!) { cancelEvent(id: $id, reason: "Weather") { status } }`,
      { id: cancelled },
      organizer,
    );
    expect(cancel.errors).toBeUndefined();
    await stack.settle();
    expect(errorCodes(await view(draft, '198.51.100.20'))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await view(cancelled!, '198.51.100.20'))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await view('not-an-id', '198.51.100.20'))).toEqual(['BAD_USER_INPUT']);
    expect(await storedViews([nothing, draft, cancelled!])).toBe(0);
  });

  it('records at most one view per request, however many aliases or fragments it carries', async () => {
    const field = (id: string, i: number) => `v${i}: recordEventView(eventId: "${id}")`;
    const documents = [
      (ids: string[]) => `mutation { ${ids.map(field).join(' ')} }`,
      (ids: string[]) =>
        `mutation { ${ids.map((id, i) => `... on Mutation { ${field(id, i)} }`).join(' ')} }`,
      (ids: string[]) => `mutation { ...F } fragment F on Mutation { ${ids.map(field).join(' ')} }`,
    ];
    for (const [d, document] of documents.entries()) {
      const events = await liveEvents(`Aliasburg ${d}`, 5);
      const res = await graphql<Record<string, boolean>>(
        stack.gatewayUrl,
        document(events),
        {},
        { headers: { 'x-forwarded-for': `198.51.100.${30 + d}` } },
      );
      // Refused: the whole document (the gateway's wall) or every field after the first (the subgraph's).
      expect(res.errors?.length, document(events)).toBeGreaterThan(0);
      for (const error of res.errors!) expect(error.extensions?.code).toMatch(/^[A-Z_]+$/);
      expect(Object.values(res.data ?? {}).filter((v) => v === true).length).toBeLessThanOrEqual(1);
      expect(await storedViews(events)).toBeLessThanOrEqual(1);
    }
  });
});
