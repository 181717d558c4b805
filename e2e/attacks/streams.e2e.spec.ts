import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createEvent } from '../fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from '../harness.js';
import { RawGraphQLWs } from '../hostile/ws.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * Subscriptions and the other stream transports. Before: one socket opened 1,000
 * subscriptions (1,000 topics, 1,000 upstream watchers), 500 anonymous sockets from one IP
 * were all accepted, and GET with `Accept: text/event-stream` ran mutations (signUp) from a
 * foreign Origin, past Apollo's CSRF check.
 */
const observe = attackReport('streams');
const LIMITS = { perConnection: 50, perIp: 70, perUser: 10, connectionsPerIp: 20 };
let stack: TestStack;
let eventId: string;
let address = 0;
const nextIp = () => `192.0.2.${++address}`;
const subscription = 'subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { available } }';

beforeAll(async () => {
  stack = await startTestStack({
    TRUST_PROXY_HOPS: '1',
    SUBSCRIPTIONS_PER_CONNECTION: String(LIMITS.perConnection),
    SUBSCRIPTIONS_PER_IP: String(LIMITS.perIp),
    SUBSCRIPTIONS_PER_USER: String(LIMITS.perUser),
    WS_CONNECTIONS_PER_IP: String(LIMITS.connectionsPerIp),
    CORS_ORIGINS: 'https://app.example.com',
  });
  const organizer = await stack.signIn(ORGANIZER.email, ORGANIZER.password);
  ({ eventId } = await createEvent(stack, organizer.token));
  await stack.settle();
});
afterAll(() => stack?.stop());

async function connect(ip: string, payload: Record<string, unknown> = {}) {
  const ws = await RawGraphQLWs.open(stack.gatewayUrl, { 'x-forwarded-for': ip });
  await ws.init(payload);
  return ws;
}

/** Subscribes `count` times on one socket; the first frame type (or error code) of each. */
async function subscribeMany(ws: RawGraphQLWs, count: number, prefix: string) {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    ws.send({ id, type: 'subscribe', payload: { query: subscription, variables: { e: eventId } } });
    const frame = await ws.firstFrame(id);
    const code = (frame?.payload as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code;
    outcomes.push(frame?.type === 'error' ? `error ${code}` : String(frame?.type));
  }
  return outcomes;
}

describe('subscription quotas', () => {
  it('caps the operations on one socket; the socket stays open', async () => {
    const ws = await connect(nextIp());
    const outcomes = await subscribeMany(ws, LIMITS.perConnection + 5, 'one');
    observe('subscriptions on one socket', {
      tried: outcomes.length,
      accepted: outcomes.filter((o) => o === 'next').length,
      refused: outcomes.filter((o) => o.startsWith('error')).length,
    });
    expect(outcomes.slice(0, LIMITS.perConnection).every((o) => o === 'next')).toBe(true);
    expect(outcomes.slice(LIMITS.perConnection)).toEqual(Array(5).fill('error RATE_LIMITED'));
    expect(ws.isOpen).toBe(true);
    ws.close();
  });

  it('caps graphql-ws connections per client address at the upgrade', async () => {
    const ip = nextIp();
    const sockets: RawGraphQLWs[] = [];
    const refused: string[] = [];
    for (let i = 0; i < LIMITS.connectionsPerIp + 3; i++) {
      try {
        sockets.push(await RawGraphQLWs.open(stack.gatewayUrl, { 'x-forwarded-for': ip }));
      } catch (error) {
        refused.push((error as Error).message);
      }
    }
    observe('anonymous sockets from one address', { opened: sockets.length, refused: refused.length });
    expect(sockets).toHaveLength(LIMITS.connectionsPerIp);
    expect(refused).toEqual(Array(3).fill('Unexpected server response: 429'));
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((s) => s.closed));
    // Closed connections give their places back.
    const again = await connect(ip);
    expect(again.acknowledged).toBe(true);
    again.close();
  });

  it('caps live subscriptions per address across sockets and event streams', async () => {
    const ip = nextIp();
    const a = await connect(ip);
    const b = await connect(ip);
    const first = await subscribeMany(a, 40, 'a');
    const second = await subscribeMany(b, 35, 'b');
    const stream = await post(
      stack.gatewayUrl,
      { query: subscription, variables: { e: eventId } },
      { 'x-forwarded-for': ip, accept: 'text/event-stream' },
    );
    const accepted = [...first, ...second].filter((o) => o === 'next').length;
    observe('subscriptions from one address over two sockets and SSE', { accepted, sse: stream.status });
    expect(accepted).toBe(LIMITS.perIp);
    expect(stream.status).toBe(429);
    expect(codeOf(stream)).toBe('RATE_LIMITED');
    a.close();
    b.close();
  });

  it('caps live subscriptions per signed-in user, from any address', async () => {
    const { token } = await stack.signUp(`subscriber-${Date.now()}@example.com`);
    const payload = { authorization: `Bearer ${token}` };
    const a = await connect(nextIp(), payload);
    const b = await connect(nextIp(), payload);
    const outcomes = [...(await subscribeMany(a, 6, 'u')), ...(await subscribeMany(b, 6, 'v'))];
    observe('subscriptions of one user from two addresses', {
      accepted: outcomes.filter((o) => o === 'next').length,
    });
    expect(outcomes.filter((o) => o === 'next')).toHaveLength(LIMITS.perUser);
    a.close();
    b.close();
  });
});

describe('stream transports keep the HTTP rules', () => {
  const signUp = (email: string) => ({
    query: 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
    variables: JSON.stringify({ i: { email, password: 'long enough password', name: 'Mallory' } }),
  });
  const accountExists = async (email: string) => {
    const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      return (await sql`select 1 from users.accounts where email = ${email}`).length > 0;
    } finally {
      await sql.end();
    }
  };

  it('never runs a mutation from GET, even as an event stream from a foreign origin', async () => {
    const email = `csrf-get-${Date.now()}@example.com`;
    const search = new URLSearchParams(signUp(email));
    const answer = await fetch(`${stack.gatewayUrl}?${search}`, {
      headers: { accept: 'text/event-stream', origin: 'https://evil.example' },
    });
    const text = await answer.text();
    observe('GET text/event-stream signUp from a foreign origin', {
      status: answer.status,
      accountCreated: await accountExists(email),
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(await accountExists(email)).toBe(false);
  });

  it('refuses an event-stream POST a foreign page could send without a preflight', async () => {
    const email = `csrf-post-${Date.now()}@example.com`;
    const { query, variables } = signUp(email);
    const answer = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ query, variables: JSON.parse(variables) }),
    });
    observe('POST text/plain text/event-stream signUp', {
      status: answer.status,
      accountCreated: await accountExists(email),
    });
    expect(answer.status).toBe(400);
    expect(await accountExists(email)).toBe(false);
  });

  it('refuses graphql-ws upgrades from origins CORS does not allow', async () => {
    const foreign = await RawGraphQLWs.open(stack.gatewayUrl, { origin: 'https://evil.example' }).then(
      () => 'opened',
      (error: Error) => error.message,
    );
    const allowed = await RawGraphQLWs.open(stack.gatewayUrl, { origin: 'https://app.example.com' });
    await allowed.init();
    observe('graphql-ws upgrade from a foreign origin', { outcome: foreign });
    expect(foreign).toBe('Unexpected server response: 403');
    expect(allowed.acknowledged).toBe(true);
    allowed.close();
  });
});
