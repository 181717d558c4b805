import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerOpenError, ResponseMemory, SubgraphTransport } from './subgraph-transport.js';

/** A real HTTP subgraph stand-in that counts calls and answers as `reply` says. */
async function fakeSubgraph(reply: (body: string, res: ServerResponse) => void) {
  const received: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      reply(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, received, server };
}

function json(res: ServerResponse, status: number, value: unknown, delayMs = 0) {
  setTimeout(() => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  }, delayMs);
}

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

function transportFor(url: string, memory = new ResponseMemory(100), breakerResetMs = 200) {
  const states: string[] = [];
  const transport = new SubgraphTransport({
    url,
    timeoutMs: 500,
    breakerResetMs,
    connections: 4,
    memory,
    onBreakerState: (state) => states.push(state),
  });
  open.push(transport);
  return { transport, states };
}

const headers = { 'content-type': 'application/json' };

describe('SubgraphTransport', () => {
  it('sends identical reads in flight at once only once, and not reads that differ', async () => {
    const sub = await fakeSubgraph((_body, res) => json(res, 200, { data: { n: 1 } }, 50));
    open.push({ close: () => new Promise<void>((r) => sub.server.close(() => r())) });
    const { transport } = transportFor(sub.url, new ResponseMemory(0));
    const same = await Promise.all([1, 2, 3, 4, 5].map(() => transport.post(headers, '{"q":1}', 'k1')));
    expect(same.every((r) => r.text === '{"data":{"n":1}}')).toBe(true);
    expect(sub.received).toHaveLength(1);
    await Promise.all([transport.post(headers, '{"q":2}', 'k2'), transport.post(headers, '{"q":3}', 'k3')]);
    expect(sub.received).toHaveLength(3);
  });

  it('remembers a read for the window only, and any write forgets everything', async () => {
    let counter = 0;
    const sub = await fakeSubgraph((_body, res) => json(res, 200, { data: { n: ++counter } }));
    open.push({ close: () => new Promise<void>((r) => sub.server.close(() => r())) });
    const { transport } = transportFor(sub.url, new ResponseMemory(150));
    const first = await transport.post(headers, '{"q":1}', 'k');
    expect((await transport.post(headers, '{"q":1}', 'k')).text).toBe(first.text);
    await transport.post(headers, '{"m":1}', undefined);
    const afterWrite = await transport.post(headers, '{"q":1}', 'k');
    expect(afterWrite.text).not.toBe(first.text);
    await new Promise((r) => setTimeout(r, 200));
    expect((await transport.post(headers, '{"q":1}', 'k')).text).not.toBe(afterWrite.text);
  });

  it('does not remember a read that raced a write', async () => {
    let counter = 0;
    const sub = await fakeSubgraph((body, res) =>
      json(res, 200, { data: { n: ++counter } }, body.includes('q') ? 80 : 0),
    );
    open.push({ close: () => new Promise<void>((r) => sub.server.close(() => r())) });
    const { transport } = transportFor(sub.url, new ResponseMemory(1_000));
    const racing = transport.post(headers, '{"q":1}', 'k');
    await transport.post(headers, '{"m":1}', undefined);
    const raced = await racing;
    expect((await transport.post(headers, '{"q":1}', 'k')).text).not.toBe(raced.text);
  });

  it('never remembers an error answer', async () => {
    let status = 500;
    const sub = await fakeSubgraph((_body, res) => json(res, status, { errors: [{ message: 'x' }] }));
    open.push({ close: () => new Promise<void>((r) => sub.server.close(() => r())) });
    const { transport } = transportFor(sub.url, new ResponseMemory(1_000));
    expect((await transport.post(headers, '{"q":1}', 'k')).status).toBe(500);
    status = 200;
    expect((await transport.post(headers, '{"q":1}', 'k')).status).toBe(200);
  });

  it('opens its breaker after repeated failures, then closes it once the subgraph answers again', async () => {
    let healthy = false;
    const sub = await fakeSubgraph((_body, res) => json(res, healthy ? 200 : 503, { data: null }));
    open.push({ close: () => new Promise<void>((r) => sub.server.close(() => r())) });
    const { transport, states } = transportFor(sub.url, new ResponseMemory(0), 200);
    for (let i = 0; i < 6; i++) await transport.post(headers, `{"q":${i}}`, `k${i}`).catch(() => undefined);
    expect(transport.breakerOpen).toBe(true);
    const calls = sub.received.length;
    await expect(transport.post(headers, '{"q":9}', 'k9')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(sub.received).toHaveLength(calls);
    healthy = true;
    await new Promise((r) => setTimeout(r, 250));
    expect((await transport.post(headers, '{"q":10}', 'k10')).status).toBe(200);
    expect(transport.breakerOpen).toBe(false);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts a refused connection as a failure and rejects', async () => {
    const sub = await fakeSubgraph((_body, res) => json(res, 200, {}));
    const url = sub.url;
    await new Promise<void>((r) => sub.server.close(() => r()));
    const { transport } = transportFor(url);
    await expect(transport.post(headers, '{}', 'k')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
