import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ADMIN, ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { collect, wsClient } from './live.js';

const manifest = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../operations/persisted-query-manifest.json', import.meta.url)),
    'utf8',
  ),
) as { operations: { id: string; name: string; body: string }[] };
const op = (name: string) => manifest.operations.find((o) => o.name === name)!;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let stack: TestStack;
let admin: string;
let eventId: string;

beforeAll(async () => {
  stack = await startTestStack({ API_KEY_CACHE_SECONDS: '1', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' });
  admin = (await stack.signIn(ADMIN.email, ADMIN.password)).token;
  const organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
  eventId = (await createEvent(stack, organizer, { title: 'Partner Night' })).eventId;
});
afterAll(() => stack?.stop());

async function post(body: object, headers: Record<string, string> = {}) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    },
  };
}
const byId = (id: string, variables: object = {}) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: id } },
});
const code = (res: { body: { errors?: { extensions: Record<string, unknown> }[] } }) =>
  res.body.errors?.[0]?.extensions.code;

async function createKey(rateLimitPerMinute = 600) {
  const res = await stack.call<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    `mutation($n: String!, $r: Int) { createApiKey(name: $n, rateLimitPerMinute: $r) { key apiKey { id } } }`,
    { n: `partner-${Math.random()}`, r: rateLimitPerMinute },
    admin,
  );
  return res.data!.createApiKey;
}

describe('partners with an API key', () => {
  it('run registered operations by id, and nothing else', async () => {
    const { key } = await createKey();
    const ok = await post(byId(op('PartnerCatalogue').id, { first: 5 }), { 'x-api-key': key });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.body.data)).toContain('Partner Night');

    const fullText = await post({ query: op('PartnerCatalogue').body }, { 'x-api-key': key });
    expect(code(fullText)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const adHoc = await post({ query: '{ events { totalCount } }' }, { 'x-api-key': key });
    expect(code(adHoc)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const unknown = await post(byId('0'.repeat(64)), { 'x-api-key': key });
    expect(code(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('are refused with a bad key, and with a revoked one within the cache time', async () => {
    const bad = await post(byId(op('PartnerCatalogue').id), { 'x-api-key': 'mq_not-a-real-key' });
    expect(bad.status).toBe(401);
    expect(code(bad)).toBe('UNAUTHENTICATED');

    const { key, apiKey } = await createKey();
    expect((await post(byId(op('PartnerTrendingEvents').id), { 'x-api-key': key })).status).toBe(200);
    const revoked = await stack.call(
      `mutation($id: ID!) { revokeApiKey(id: $id) }`,
      { id: apiKey.id },
      admin,
    );
    expect(revoked.data).toEqual({ revokeApiKey: true });
    await new Promise((r) => setTimeout(r, 1_100)); // API_KEY_CACHE_SECONDS=1 here; 30 by default
    const after = await post(byId(op('PartnerTrendingEvents').id), { 'x-api-key': key });
    expect(code(after)).toBe('UNAUTHENTICATED');
  });

  it('are held to their own rate limit, with a retry-after hint', async () => {
    const { key } = await createKey(3);
    for (let i = 0; i < 3; i++)
      expect((await post(byId(op('PartnerTrendingEvents').id), { 'x-api-key': key })).status).toBe(200);
    const limited = await post(byId(op('PartnerTrendingEvents').id), { 'x-api-key': key });
    expect(limited.status).toBe(429);
    expect(code(limited)).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.errors![0]!.extensions.retryAfterSeconds).toBeGreaterThan(0);
    // Another key has its own budget.
    const other = await createKey(3);
    expect((await post(byId(op('PartnerTrendingEvents').id), { 'x-api-key': other.key })).status).toBe(200);
  });

  it('subscribe over graphql-ws with their key and a registered subscription', async () => {
    const { key } = await createKey();
    const keyed = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { 'x-api-key': key },
    });
    // graphql-ws needs a query string: an empty one, with the registered id in extensions.
    const values: unknown[] = [];
    const errors: unknown[] = [];
    const stop = keyed.subscribe(
      {
        query: '',
        variables: { eventId },
        extensions: { persistedQuery: { version: 1, sha256Hash: op('PartnerTicketAvailability').id } },
      },
      { next: (r) => values.push(r), error: (e) => errors.push(e), complete: () => {} },
    );
    for (let i = 0; i < 100 && values.length === 0 && errors.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([]);
    expect(JSON.stringify(values[0])).toContain('"available":100');
    stop();
    const refused: unknown[] = [];
    keyed.subscribe(
      { query: op('PartnerTicketAvailability').body, variables: { eventId } },
      { next: () => {}, error: (e) => refused.push(e), complete: () => {} },
    );
    for (let i = 0; i < 100 && refused.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.stringify(refused)).toContain('PERSISTED_QUERY_NOT_ALLOWED');
    await keyed.dispose();
  });
});

describe('apps without a key', () => {
  it('use automatic persisted queries: miss, register, hit', async () => {
    // Unique per run: APQ entries outlive a test run when they live in Redis.
    const query = `# ${Math.random()}\nquery ApqProbe { events(first: 1) { totalCount } }`;
    const hash = sha256(query);
    const miss = await post(byId(hash));
    expect(code(miss)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.body.errors![0]!.message).toBe('PersistedQueryNotFound');
    const register = await post({ query, ...byId(hash) });
    expect(register.body.data).toEqual({ events: { totalCount: 1 } });
    const hit = await post(byId(hash));
    expect(hit.body.data).toEqual({ events: { totalCount: 1 } });
    const mismatch = await post({ query: '{ __typename }', ...byId(hash) });
    expect(code(mismatch)).toBe('BAD_REQUEST');
    // Registered operations work by id too, and GET works for queries.
    const manifestGet = await fetch(
      `${stack.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify(byId(op('TrendingEvents').id).extensions))}&variables=${encodeURIComponent('{"first":1}')}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    expect(manifestGet.status).toBe(200);
    expect(((await manifestGet.json()) as { data: object }).data).toHaveProperty('trendingEvents');
  });

  it('cannot run depth, alias, token or cost bombs', async () => {
    const deep = `{ events { edges { node { organizer { organizedEvents { edges { node { organizer { organizedEvents { edges { node { organizer { organizedEvents { totalCount } } } } } } } } } } } } } }`;
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: events { totalCount }`).join(' ')} }`;
    const tokens = `{ events { totalCount ${' a'.repeat(3_500)} } }`;
    // Within the depth and alias limits, but wide: only the cost limit stops it.
    const inner = `edges { node { venue { name address city country capacity latitude longitude } organizer { organizedEvents { edges { node { title venue { name city } ticketTiers { name priceCents available } } } } } ticketTiers { name priceCents currency capacity available } } }`;
    const costly = `query { events { ...A } } fragment A on EventConnection { ${Array.from({ length: 12 }, (_, i) => `b${i}: ${inner}`).join(' ')} }`;
    const expected = [/depth/, /Aliases/, /tokens/, /cost/];
    for (const [i, query] of [deep, aliases, tokens, costly].entries()) {
      const res = await post({ query });
      expect(res.status).toBe(400);
      expect(code(res)).toBe('QUERY_TOO_COMPLEX');
      expect(res.body.errors![0]!.message).toMatch(expected[i]!);
    }
    const client = wsClient(stack.gatewayUrl);
    const bomb = collect(
      client,
      `subscription { ${Array.from({ length: 30 }, (_, i) => `x${i}: ticketAvailabilityChanged(eventId: "${eventId}") { held }`).join(' ')} }`,
      {},
    );
    for (let i = 0; i < 100 && bomb.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.stringify(bomb.errors)).toContain('QUERY_TOO_COMPLEX');
    await client.dispose();
  });
});

describe('the partner guide', () => {
  it('lists every partner operation with its current id', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    for (const operation of manifest.operations.filter((o) => o.name.startsWith('Partner'))) {
      expect(readme).toContain(`| \`${operation.name}\` | `);
      expect(readme).toContain(operation.id);
    }
  });
});
