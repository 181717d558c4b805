import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOnSignals, drainHttpServer, trackRequests } from './shutdown.js';

/** A server whose /slow answers when the test says so. */
async function slowServer() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const inFlight = new Promise<void>((r) => (arrived = r));
  const server = createServer((req, res) => {
    if (req.url !== '/slow') return res.end('fast');
    arrived();
    void released.then(() => res.end('slow done'));
  });
  trackRequests(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, release, inFlight };
}

function get(port: number, path: string, agent?: Agent) {
  return new Promise<{ body: string; connection?: string }>((resolve, reject) => {
    request({ port, path, host: '127.0.0.1', ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ body, ...(res.headers.connection ? { connection: res.headers.connection } : {}) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

describe('drainHttpServer', () => {
  it('refuses new connections, lets the request in flight finish, and closes its keep-alive connection', async () => {
    const { server, port, release, inFlight } = await slowServer();
    servers.push(server);
    const agent = new Agent({ keepAlive: true });
    await get(port, '/fast', agent); // a keep-alive connection, idle now
    const slow = get(port, '/slow', agent);
    await inFlight;
    const closeStreams = vi.fn();
    let drained = false;
    const drain = drainHttpServer(server, 10_000, closeStreams).then(() => (drained = true));

    await expect(get(port, '/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closeStreams).toHaveBeenCalledOnce();
    expect(drained).toBe(false);
    release();
    expect(await slow).toEqual({ body: 'slow done', connection: 'close' });
    await drain;
    expect(server.listening).toBe(false);
    agent.destroy();
  });

  it('cuts what is still running once the timeout has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { server, port, inFlight } = await slowServer();
      servers.push(server);
      const slow = get(port, '/slow').catch((error: { code?: string }) => error.code);
      await inFlight;
      const drain = drainHttpServer(server, 5_000);
      await vi.advanceTimersByTimeAsync(5_000);
      await drain;
      expect(await slow).toBe('ECONNRESET');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('closeOnSignals', () => {
  it('closes the service on SIGTERM and exits 0; a failing close exits 1', async () => {
    const exits: number[] = [];
    const log = { info: vi.fn(), error: vi.fn() };
    const close = vi.fn(async () => {});
    const dispose = closeOnSignals({ close }, log, { exit: (code) => void exits.push(code) });
    try {
      process.emit('SIGTERM');
      await vi.waitFor(() => expect(exits).toEqual([0]));
      expect(close).toHaveBeenCalledOnce();
    } finally {
      dispose();
    }
    const failing = closeOnSignals({ close: async () => Promise.reject(new Error('stuck')) }, log, {
      exit: (code) => void exits.push(code),
    });
    try {
      process.emit('SIGINT');
      await vi.waitFor(() => expect(exits).toEqual([0, 1]));
    } finally {
      failing();
    }
  });
});
