import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTENDEE, startTestStack, type TestStack } from '../harness.js';
import { RawGraphQLWs } from '../hostile/ws.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * Rate limits that cannot be stepped around. Before: an Authorization header (even empty)
 * skipped the per-IP limit, signed-in users were never limited, and invalid keys were never
 * limited (each one a lookup at users). Every client here has its own address, given in
 * X-Forwarded-For through one trusted proxy hop, as behind a load balancer.
 */
const observe = attackReport('rate-limits');
const LIMITS = { ip: 40, anonymous: 10, user: 20 };
let stack: TestStack;
let address = 0;
const nextIp = () => `198.51.100.${++address}`;
const query = { query: '{ trendingEvents(first: 1) { id } }' };

beforeAll(async () => {
  stack = await startTestStack({
    TRUST_PROXY_HOPS: '1',
    RATE_LIMIT_IP_PER_MINUTE: String(LIMITS.ip),
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(LIMITS.anonymous),
    RATE_LIMIT_USER_PER_MINUTE: String(LIMITS.user),
  });
});
afterAll(() => stack?.stop());

/** Sends `count` requests one after another; the statuses in order. */
async function burst(count: number, headers: Record<string, string>, body: unknown = query) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await post(stack.gatewayUrl, body, headers)).status);
  return statuses;
}

const firstRefused = (statuses: number[]) => statuses.indexOf(429) + 1 || undefined;

describe('rate limits', () => {
  it('counts requests with an empty Authorization header against the IP', async () => {
    const statuses = await burst(LIMITS.anonymous + 2, { 'x-forwarded-for': nextIp(), authorization: '' });
    observe('empty Authorization header', {
      requests: statuses.length,
      firstRefused: firstRefused(statuses),
    });
    expect(firstRefused(statuses)).toBe(LIMITS.anonymous + 1);
  });

  it('limits each signed-in user', async () => {
    const { token } = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    const statuses = await burst(LIMITS.user + 2, {
      'x-forwarded-for': nextIp(),
      authorization: `Bearer ${token}`,
    });
    observe('a signed-in user', { requests: statuses.length, firstRefused: firstRefused(statuses) });
    expect(firstRefused(statuses)).toBe(LIMITS.user + 1);
  });

  it('counts invalid API keys and invalid tokens against the IP', async () => {
    const keyIp = nextIp();
    const keys = [];
    for (let i = 0; i < LIMITS.anonymous + 2; i++) {
      keys.push(
        (await post(stack.gatewayUrl, query, { 'x-forwarded-for': keyIp, 'x-api-key': `mk_guess_${i}` }))
          .status,
      );
    }
    const tokens = await burst(LIMITS.anonymous + 2, {
      'x-forwarded-for': nextIp(),
      authorization: 'Bearer not.a.token',
    });
    observe('invalid x-api-key guesses', { statuses: keys });
    observe('invalid bearer tokens', { statuses: tokens });
    expect(keys.slice(0, LIMITS.anonymous)).toEqual(Array(LIMITS.anonymous).fill(401));
    expect(keys.slice(LIMITS.anonymous)).toEqual([429, 429]);
    expect(tokens.slice(LIMITS.anonymous)).toEqual([429, 429]);
  });

  it('holds every caller from one address to the per-IP ceiling', async () => {
    const ip = nextIp();
    const users = await Promise.all(
      [1, 2, 3].map((n) => stack.signUp(`ip-ceiling-${n}-${Date.now()}@example.com`)),
    );
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.ip + 3; i++) {
      const { token } = users[i % users.length]!;
      statuses.push(
        (await post(stack.gatewayUrl, query, { 'x-forwarded-for': ip, authorization: `Bearer ${token}` }))
          .status,
      );
    }
    observe('three users behind one address', {
      requests: statuses.length,
      firstRefused: firstRefused(statuses),
    });
    expect(firstRefused(statuses)).toBe(LIMITS.ip + 1);
  });

  it('answers over the limit with RATE_LIMITED and Retry-After', async () => {
    const ip = nextIp();
    await burst(LIMITS.anonymous, { 'x-forwarded-for': ip });
    const refused = await post(stack.gatewayUrl, query, { 'x-forwarded-for': ip });
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('cannot be stepped around with a spoofed X-Forwarded-For entry', async () => {
    // The proxy appends the real address; what the client wrote before it is not trusted.
    const real = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.anonymous + 2; i++) {
      statuses.push(
        (await post(stack.gatewayUrl, query, { 'x-forwarded-for': `203.0.113.${i}, ${real}` })).status,
      );
    }
    observe('spoofed X-Forwarded-For', { firstRefused: firstRefused(statuses) });
    expect(firstRefused(statuses)).toBe(LIMITS.anonymous + 1);
  });

  it('applies the same client-address rule to event streams', async () => {
    const ip = nextIp();
    const statuses = await burst(LIMITS.anonymous + 1, {
      'x-forwarded-for': ip,
      accept: 'text/event-stream',
    });
    observe('SSE requests from one address', { firstRefused: firstRefused(statuses) });
    expect(firstRefused(statuses)).toBe(LIMITS.anonymous + 1);
  });

  it('applies the same client-address rule and quotas to graphql-ws', async () => {
    const ip = nextIp();
    const outcomes: string[] = [];
    for (let i = 0; i < LIMITS.anonymous + 1; i++) {
      const ws = await RawGraphQLWs.open(stack.gatewayUrl, { 'x-forwarded-for': ip });
      await ws.init(); // returns early when the server closes instead
      outcomes.push(ws.acknowledged ? 'ack' : `closed ${(await ws.closed).code}`);
      ws.close();
    }
    // Another address is not affected by the first one's quota.
    const other = await RawGraphQLWs.open(stack.gatewayUrl, { 'x-forwarded-for': nextIp() });
    await other.init();
    observe('graphql-ws connections from one address', { outcomes });
    expect(outcomes.slice(0, LIMITS.anonymous)).toEqual(Array(LIMITS.anonymous).fill('ack'));
    expect(outcomes.at(-1)).toBe('closed 4429');
    expect(other.acknowledged).toBe(true);
    other.close();
  });
});
