import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../fixtures.js';
import { ATTENDEE, ORGANIZER, startTestStack, type TestStack } from '../harness.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * Demand control: one anonymous request of ~150 bytes used to grow the gateway to 4.4 GB and
 * kill every service with it (nested similarEvents at their default sizes passed a cost rule
 * that multiplied only literal `first`). Now the cost model prices every list before anything
 * is planned, and ceilings hold while executing whatever the estimate said.
 */
const observe = attackReport('demand');
let stack: TestStack;
let ceilings: TestStack;

const nested = (levels: number) =>
  `{ events { edges { node { ${'similarEvents { '.repeat(levels)}id${' }'.repeat(levels)} } } } }`;

beforeAll(async () => {
  stack = await startTestStack();
  // Limits on what executes, with the estimate out of the way: only the ceilings can stop these.
  ceilings = await startTestStack({
    MAX_COST: '100000000',
    MAX_ENTITIES_PER_REQUEST: '30',
    MAX_RESPONSE_BYTES: '6000',
    REQUEST_DEADLINE_MS: '1000',
  });
  for (const target of [stack, ceilings]) {
    const organizer = await target.signIn(ORGANIZER.email, ORGANIZER.password);
    for (let i = 0; i < 8; i++) {
      await createEvent(target, organizer.token, { categories: ['music'], description: 'x'.repeat(1_000) });
    }
    await target.settle();
  }
});
afterAll(async () => {
  await stack?.stop();
  await ceilings?.stop();
});

describe('demand control', () => {
  it('refuses the 8-level similarEvents bomb before planning, naming the field and how to lower it', async () => {
    const started = Date.now();
    const answer = await post(stack.gatewayUrl, { query: nested(8) });
    observe('8-level similarEvents (anonymous, 150 bytes)', {
      status: answer.status,
      code: codeOf(answer),
      ms: Date.now() - started,
    });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('QUERY_TOO_COMPLEX');
    const [error] = answer.body.errors!;
    expect(error!.message).toMatch(/similarEvents \(x5, first: 5 \(default\)\)/);
    expect(error!.message).toMatch(/smaller pages|fewer nested lists/);
    expect(error!.extensions).toMatchObject({
      maxCost: 5000,
      path: expect.arrayContaining(['similarEvents']),
    });
    expect((await fetch(stack.gatewayUrl.replace('/graphql', '/health'))).status).toBe(200);
  });

  it('prices lists sized by variables and hidden in fragments', async () => {
    const byVariable = await post(stack.gatewayUrl, {
      query:
        'query($n: Int) { events(first: $n) { edges { node { similarEvents(first: $n) { similarEvents(first: $n) { id } } } } } }',
      variables: { n: 50 },
    });
    const inFragment = await post(stack.gatewayUrl, {
      query: `{ events(first: 100) { edges { node { ...Deep } } } } fragment Deep on Event { similarEvents(first: 50) { ...Deeper } } fragment Deeper on Event { similarEvents(first: 50) { id } }`,
    });
    observe('lists sized by a variable', { status: byVariable.status, code: codeOf(byVariable) });
    observe('lists inside fragments', { status: inFragment.status, code: codeOf(inFragment) });
    expect(codeOf(byVariable)).toBe('QUERY_TOO_COMPLEX');
    expect(byVariable.body.errors![0]!.message).toMatch(/first: 50 \(\$n\)/);
    expect(codeOf(inFragment)).toBe('QUERY_TOO_COMPLEX');
    // The same document with small sizes runs.
    const small = await post(stack.gatewayUrl, {
      query:
        'query($n: Int) { events(first: $n) { edges { node { similarEvents(first: $n) { similarEvents(first: $n) { id } } } } } }',
      variables: { n: 2 },
    });
    expect(small.body.errors).toBeUndefined();
    expect(small.status).toBe(200);
  });

  it('allows recordEventView (and sign-in) once per request', async () => {
    const [eventId] = await eventIds(stack);
    const twice = await post(stack.gatewayUrl, {
      query: `mutation($e: ID!) { a: recordEventView(eventId: $e) b: recordEventView(eventId: $e) }`,
      variables: { e: eventId },
    });
    const guesses = await post(stack.gatewayUrl, {
      query: `mutation { ${Array.from({ length: 20 }, (_, i) => `g${i}: signIn(email: "${ATTENDEE.email}", password: "guess-${i}") { accessToken }`).join(' ')} }`,
    });
    observe('two recordEventView in one request', { status: twice.status, code: codeOf(twice) });
    observe('20 signIn guesses in one request', { status: guesses.status, code: codeOf(guesses) });
    expect(codeOf(twice)).toBe('BAD_USER_INPUT');
    expect(codeOf(guesses)).toBe('BAD_USER_INPUT');
  });
});

describe('ceilings while executing', () => {
  it('stops at the entity ceiling with one clean error', async () => {
    const answer = await post(ceilings.gatewayUrl, {
      query: '{ events(first: 20) { edges { node { similarEvents(first: 10) { title venue { city } } } } } }',
    });
    observe('more entities than MAX_ENTITIES_PER_REQUEST', { status: answer.status, code: codeOf(answer) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', reason: 'ENTITY_LIMIT' } }),
    ]);
    expect(answer.body.data).toBeUndefined();
  });

  it('stops at the response-size ceiling', async () => {
    const answer = await post(ceilings.gatewayUrl, {
      query: '{ events(first: 20) { edges { node { description } } } }',
    });
    observe('a larger answer than MAX_RESPONSE_BYTES', { status: answer.status, code: codeOf(answer) });
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', reason: 'RESPONSE_SIZE_LIMIT' } }),
    ]);
  });

  it('answers at the request deadline, and the write it interrupted is not lost', async () => {
    const buyer = await ceilings.signUp(`deadline-${Date.now()}@example.com`);
    const [eventId] = await eventIds(ceilings);
    const tiers = await ceilings.call<{ event: { ticketTiers: { id: string }[] } }>(
      `query($id: ID!) { event(id: $id) { ticketTiers { id } } }`,
      { id: eventId },
    );
    const hold = await ceilings.call<{ reserveTickets: { id: string } }>(
      `mutation($e: ID!, $t: ID!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: "deadline-hold") { id } }`,
      { e: eventId, t: tiers.data!.event.ticketTiers[0]!.id },
      buyer.token,
    );
    const pay = `mutation($r: ID!) { checkout(reservationId: $r, paymentToken: "tok_slow", idempotencyKey: "deadline-pay") { id status } }`;
    const started = Date.now();
    const slow = await ceilings.call(pay, { r: hold.data!.reserveTickets.id }, buyer.token);
    observe('a request past REQUEST_DEADLINE_MS (tok_slow checkout)', {
      code: slow.errors?.[0]?.extensions?.code,
      ms: Date.now() - started,
    });
    expect(slow.errors?.map((e) => e.extensions?.code)).toEqual(['GATEWAY_TIMEOUT']);
    // The payment finishes behind the answer; the same idempotency key finds the order.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const again = await ceilings.call<{ checkout: { status: string } }>(
      pay,
      { r: hold.data!.reserveTickets.id },
      buyer.token,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data!.checkout.status).toBe('CONFIRMED');
  });
});

async function eventIds(target: TestStack): Promise<string[]> {
  const res = await target.call<{ events: { edges: { node: { id: string } }[] } }>(
    '{ events(first: 10) { edges { node { id } } } }',
  );
  return res.data!.events.edges.map((e) => e.node.id);
}
