import { INTERNAL_HEADER } from '@marquee/auth';
import { gatewayEnvSchema, startGateway, type RunningGateway } from '@marquee/gateway';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { closedUrl, exchange, silentServer } from './sockets.js';

/**
 * The gateway's HTTP hygiene: security headers, CORS from an allow-list, body size limits, a
 * deadline on subgraph calls, server timeouts against slow clients, and no version banners
 * (there, and on the subgraphs). Variants of the gateway run beside the test stack's, in front
 * of the same subgraphs.
 */

let stack: TestStack;
const extra: RunningGateway[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  await createEvent(stack, (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token);
});
afterAll(async () => {
  for (const gateway of extra) await gateway.close();
  await stack?.stop();
});

/** Another gateway in front of the stack's subgraphs, with these settings. */
async function gatewayWith(source: Record<string, string>, subgraphUrls: Record<string, string> = {}) {
  const env = gatewayEnvSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    INTERNAL_SECRET: stack.internalSecret,
    JWKS_URL: stack.urls.users.replace(/\/graphql$/, '/.well-known/jwks.json'),
    SUPERGRAPH_WATCH: 'false',
    ...source,
  });
  const gateway = await startGateway(env, {
    port: 0,
    opsPort: 0,
    log: createLogger('gateway', 'silent'),
    subgraphUrls: { ...stack.urls, ...subgraphUrls },
  });
  extra.push(gateway);
  return gateway;
}

const query = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

describe('security headers and banners', () => {
  it('the gateway sends security headers and no version banner', async () => {
    const response = await query(stack.gatewayUrl, { query: '{ __typename }' });
    expect(response.status).toBe(200);
    const headers = response.headers;
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // HSTS only in production (browsers ignore it over plain HTTP anyway).
    expect(headers.get('strict-transport-security')).toBeNull();
    expect(headers.get('x-powered-by')).toBeNull();
    expect(headers.get('server')).toBeNull();
  });

  it('the playground keeps its own Content-Security-Policy', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('in production the gateway adds HSTS', async () => {
    const gateway = await gatewayWith({ NODE_ENV: 'production' });
    const response = await query(gateway.url, { query: '{ __typename }' });
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });

  it('no service names its framework or version, in headers or error pages', async () => {
    const internal = { [INTERNAL_HEADER]: stack.internalSecret };
    const urls = [stack.gatewayUrl, ...Object.values(stack.urls)];
    for (const url of urls) {
      const base = url.replace(/\/graphql$/, '');
      const answers = [
        await fetch(`${base}/no-such-page`),
        await fetch(`${base}/health`),
        await query(url, '{"query": ', internal),
        await query(url, { query: '{ __typename }' }, internal),
      ];
      for (const response of answers) {
        expect(response.headers.get('x-powered-by'), url).toBeNull();
        expect(response.headers.get('server'), url).toBeNull();
        const text = await response.text();
        expect(text).not.toMatch(/express|nest|apollo server|node\.js|<html/i);
      }
      const missing = await fetch(`${base}/no-such-page`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/application\/json/);
      expect(await missing.json()).toEqual({
        errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }],
      });
    }
  });
});

describe('CORS', () => {
  it('outside production, localhost origins may call the gateway by default; others get no CORS headers', async () => {
    const allowed = await preflight(stack.gatewayUrl, 'http://localhost:5173');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    expect(allowed.headers.get('access-control-max-age')).toBe('600');
    const actual = await query(
      stack.gatewayUrl,
      { query: '{ __typename }' },
      { origin: 'http://127.0.0.1:3000' },
    );
    expect(actual.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(actual.headers.get('vary')).toMatch(/origin/i);

    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
      const refused = await preflight(stack.gatewayUrl, origin);
      expect(refused.status).toBe(204);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
      const post = await query(stack.gatewayUrl, { query: '{ __typename }' }, { origin });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('CORS_ORIGINS is the allow-list; in production nothing is allowed without it; * allows all without credentials', async () => {
    const listed = await gatewayWith({
      CORS_ORIGINS: 'https://app.example.com, https://partner.example.org/',
    });
    for (const origin of ['https://app.example.com', 'https://partner.example.org']) {
      const response = await preflight(listed.url, origin);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const localhost = await preflight(listed.url, 'http://localhost:5173');
    expect(localhost.headers.get('access-control-allow-origin')).toBeNull();

    const production = await gatewayWith({ NODE_ENV: 'production' });
    const refused = await preflight(production.url, 'http://localhost:5173');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const any = await gatewayWith({ CORS_ORIGINS: '*' });
    const open = await preflight(any.url, 'https://anyone.example');
    expect(open.headers.get('access-control-allow-origin')).toBe('*');
    expect(open.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('CORS_ORIGINS must hold origins', () => {
    const parse = (value: string) =>
      gatewayEnvSchema.safeParse({ INTERNAL_SECRET: 'x'.repeat(32), CORS_ORIGINS: value });
    expect(parse('https://app.example.com,http://localhost:3000').success).toBe(true);
    expect(parse('').success).toBe(true);
    expect(parse('app.example.com').success).toBe(false);
    expect(parse('https://app.example.com/path').success).toBe(false);
    expect(parse('ftp://files.example.com').success).toBe(false);
  });
});

describe('body size limits', () => {
  it('a body over BODY_LIMIT_BYTES is refused with 413 and a JSON error with a code', async () => {
    const small = await gatewayWith({ BODY_LIMIT_BYTES: '2048' });
    const body = (size: number) =>
      JSON.stringify({
        query: 'query($s: String!) { __type(name: $s) { name } }',
        variables: { s: 'x'.repeat(size) },
      });
    const within = await query(small.url, body(1_500));
    expect(within.status, await within.clone().text()).toBe(200);
    const over = await query(small.url, body(3_000));
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({
      errors: [
        { message: 'The request body is larger than 2048 bytes', extensions: { code: 'BAD_REQUEST' } },
      ],
    });
    // The default limit (1,000,000 bytes) on the stack's gateway.
    const big = await query(stack.gatewayUrl, body(1_000_001));
    expect(big.status).toBe(413);
  });

  it('malformed bodies get JSON errors with a code, not an HTML page', async () => {
    for (const [body, headers, status] of [
      ['{"query": ', {}, 400],
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), {}, 400],
      ['{"query":"{ __typename }"}', { 'content-type': 'application/json; charset=latin1' }, 415],
    ] as const) {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
  });
});

describe('timeouts', () => {
  const partly = '{ events(first: 1) { totalCount } me { id } }';

  it('a subgraph that never answers costs its own fields only: SERVICE_UNAVAILABLE, and the rest of the data', async () => {
    const silent = await silentServer();
    try {
      const gateway = await gatewayWith({ SUBGRAPH_TIMEOUT_MS: '300' }, { users: silent.url });
      const response = await query(gateway.url, { query: partly });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        data: { events: { totalCount: number }; me: unknown };
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(body.data.events.totalCount).toBeGreaterThanOrEqual(1);
      expect(body.data.me).toBeNull();
      expect(body.errors).toEqual([
        { message: 'A service did not answer within 300 ms', extensions: { code: 'SERVICE_UNAVAILABLE' } },
      ]);
    } finally {
      await silent.close();
    }
  });

  it('a subgraph that is down is SERVICE_UNAVAILABLE too', async () => {
    const gateway = await gatewayWith({}, { users: await closedUrl() });
    const response = await query(gateway.url, { query: partly });
    const body = (await response.json()) as {
      data: { events: unknown };
      errors: { extensions: { code: string } }[];
    };
    expect(response.status).toBe(200);
    expect(body.data.events).toBeTruthy();
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('slow clients are cut off: headers, bodies, and idle keep-alive connections', async () => {
    const gateway = await gatewayWith({
      HTTP_HEADERS_TIMEOUT_MS: '200',
      HTTP_REQUEST_TIMEOUT_MS: '400',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
    });
    const port = Number(new URL(gateway.url).port);
    const head = 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
    // Headers that never end; a body that never arrives in full: 408, and the connection closes.
    expect(await exchange(port, head)).toMatch(/^HTTP\/1\.1 408/);
    expect(await exchange(port, `${head}Content-Length: 100\r\n\r\n{"query"`)).toMatch(/^HTTP\/1\.1 408/);
    // An idle keep-alive connection after a complete exchange is closed too.
    const body = JSON.stringify({ query: '{ __typename }' });
    const idle = await exchange(
      port,
      `${head}Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
    expect(idle).toMatch(/^HTTP\/1\.1 200/);
  });

  it('by default idle connections are kept for 65 s (longer than a load balancer idles)', async () => {
    const response = await query(stack.gatewayUrl, { query: '{ __typename }' });
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });
});
