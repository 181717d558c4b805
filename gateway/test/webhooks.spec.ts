import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createConnection, type AddressInfo } from 'node:net';
import { INTERNAL_HEADER } from '@marquee/auth';
import { createLogger } from '@marquee/subgraph-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayEnvSchema } from '../src/env.js';
import { startGateway, type RunningGateway } from '../src/service.js';

const INTERNAL_SECRET = 'webhooks-spec-internal-secret-4f9c2a7d1e';
const SIGNATURE =
  't=1733340000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f2724';
// Odd spacing, escapes and non-ASCII: whatever Stripe sends must arrive byte for byte.
const EVENT = '{\n  "id": "evt_1",  "type": "payment_intent.succeeded",\n "name": "Zoë \\u2028 ✓" }\n';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in for tickets: records what reaches it and answers as `answer` says. */
function fakeTickets() {
  const received: Received[] = [];
  let answer = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      answer(req, res);
    });
  });
  return {
    received,
    server,
    answer: (next: typeof answer) => void (answer = next),
    async listen(port = 0) {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    close: () => closeServer(server),
  };
}

function closeServer(server: Server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
}

async function closedPort() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await closeServer(probe);
  return port;
}

async function gatewayBefore(ticketsPort: number, settings: Record<string, string> = {}) {
  const closed = `http://127.0.0.1:${await closedPort()}/graphql`;
  const env = gatewayEnvSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    INTERNAL_SECRET,
    SUPERGRAPH_WATCH: 'false',
    SUBGRAPH_TIMEOUT_MS: '1000',
    ...settings,
  });
  const gateway = await startGateway(env, {
    port: 0,
    log: createLogger('gateway', 'silent'),
    subgraphUrls: {
      tickets: `http://127.0.0.1:${ticketsPort}/graphql`,
      events: closed,
      users: closed,
      recommendations: closed,
    },
  });
  return { gateway, webhookUrl: gateway.url.replace(/\/graphql$/, '/webhooks/stripe') };
}

const deliver = (url: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': SIGNATURE, ...headers },
    body,
  });

/** The status line a raw HTTP/1.1 request gets (the client sends headers only). */
function statusLineOf(url: string, head: string) {
  const { hostname, port } = new URL(url);
  return new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.write(head));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(text.split('\r\n', 1)[0]!);
      }
    });
    socket.on('error', reject);
  });
}

const codeOf = async (response: Response) =>
  ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;

describe('POST /webhooks/stripe on the gateway', () => {
  const tickets = fakeTickets();
  let gateway: RunningGateway;
  let webhookUrl: string;

  beforeAll(async () => {
    ({ gateway, webhookUrl } = await gatewayBefore(await tickets.listen()));
  });
  afterAll(async () => {
    await gateway?.close();
    await tickets.close();
  });
  beforeEach(() => {
    tickets.received.length = 0;
    tickets.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });

  it("passes the body's bytes and the signature to tickets untouched, with the internal credential", async () => {
    const response = await deliver(webhookUrl, EVENT, { authorization: 'Bearer not-forwarded' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(tickets.received).toHaveLength(1);
    const [call] = tickets.received;
    expect(call!.method).toBe('POST');
    expect(call!.url).toBe('/webhooks/stripe');
    expect(call!.body.equals(Buffer.from(EVENT, 'utf8'))).toBe(true);
    expect(call!.headers['stripe-signature']).toBe(SIGNATURE);
    expect(call!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(call!.headers[INTERNAL_HEADER]).toBe(INTERNAL_SECRET);
    expect(call!.headers['x-request-id']).toBe(response.headers.get('x-request-id'));
    expect(call!.headers.authorization).toBeUndefined();
  });

  it("relays tickets' status and JSON answer", async () => {
    tickets.answer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"bad signature","extensions":{"code":"BAD_SIGNATURE"}}]}');
    });
    const response = await deliver(webhookUrl, EVENT);
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe('BAD_SIGNATURE');
  });

  it('refuses a body over 256 KiB, declared or streamed, without calling tickets', async () => {
    const big = new Uint8Array(256 * 1024 + 1).fill(0x20);
    // Streamed (chunked): read to the end, then refused.
    const stream = new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < big.length; offset += 16 * 1024)
          controller.enqueue(big.slice(offset, offset + 16 * 1024));
        controller.close();
      },
    });
    const streamed = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': SIGNATURE },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Declared: refused before the body is sent at all.
    const { host } = new URL(webhookUrl);
    const head = `POST /webhooks/stripe HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\nstripe-signature: ${SIGNATURE}\r\ncontent-length: 10000000\r\n\r\n`;
    expect(await statusLineOf(webhookUrl, head)).toMatch(/^HTTP\/1\.1 413 /);
    // Exactly at the limit is fine.
    expect((await deliver(webhookUrl, big.slice(1))).status).toBe(200);
    expect(tickets.received).toHaveLength(1);
  });

  it('answers 405 to other methods, 415 to other content types, 400 without a signature', async () => {
    const get = await fetch(webhookUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await codeOf(get)).toBe('METHOD_NOT_ALLOWED');
    const text = await deliver(webhookUrl, EVENT, { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await codeOf(text)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const gzip = await deliver(webhookUrl, EVENT, { 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(415);
    const unsigned = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: EVENT,
    });
    expect(unsigned.status).toBe(400);
    expect(tickets.received).toHaveLength(0);
  });

  it('answers 504 when tickets does not answer in time, so Stripe delivers again', async () => {
    tickets.answer(() => {}); // never answers
    const response = await deliver(webhookUrl, EVENT);
    expect(response.status).toBe(504);
    expect(await codeOf(response)).toBe('SERVICE_UNAVAILABLE');
  });

  it('still serves GraphQL beside it, and counts deliveries under one route label', async () => {
    const graphql = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.status).toBe(200);
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    await deliver(webhookUrl, EVENT);
    await fetch(webhookUrl); // 405
    const metrics = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /gateway_webhook_requests_total\{[^}]*route="webhooks\/stripe"[^}]*status="2xx"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/gateway_webhook_requests_total\{[^}]*status="4xx"[^}]*\} [1-9]/);
  });
});

describe('POST /webhooks/stripe with tickets down or a caller over its rate', () => {
  let gateway: RunningGateway;
  let webhookUrl: string;

  beforeAll(async () => {
    ({ gateway, webhookUrl } = await gatewayBefore(await closedPort(), { RATE_LIMIT_IP_PER_MINUTE: '2' }));
  });
  afterAll(() => gateway?.close());

  it('answers 502 with a code while tickets is unreachable, then 429 past the per-address rate', async () => {
    const down = await deliver(webhookUrl, EVENT);
    expect(down.status).toBe(502);
    expect(await codeOf(down)).toBe('SERVICE_UNAVAILABLE');
    expect((await deliver(webhookUrl, EVENT)).status).toBe(502);
    const limited = await deliver(webhookUrl, EVENT);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await codeOf(limited)).toBe('RATE_LIMITED');
  });
});
