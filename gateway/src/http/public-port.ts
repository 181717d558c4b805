import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { listen, portErrorOf } from '@marquee/subgraph-kit';

export interface GatewayListener {
  /** Its /graphql URL now: the private one until open(), then the public one. */
  url(): string;
  isOpen(): boolean;
  /** Listens on the public port (once; at once without `openLater`); resolves to its URL. */
  open(): Promise<string>;
}

/**
 * Where the gateway listens. With `openLater` it first answers on a private 127.0.0.1 port
 * only (the launcher seeds the demo through it: nobody else can reach a half-seeded
 * catalogue), and on GATEWAY_PORT once open() is called: the same server, closed and listening
 * again. Whether GATEWAY_PORT is free is checked at once, so a taken port is said before the
 * seed runs, not after.
 */
export async function listenGateway(
  app: INestApplication,
  options: { port: number; host: string; openLater: boolean },
): Promise<GatewayListener> {
  const { port, host } = options;
  try {
    if (!options.openLater) {
      const url = await listen(app, port, host);
      return { url: () => url, isOpen: () => true, open: async () => url };
    }
    if (port !== 0) await checkFree(port, host);
    let url = await listen(app, 0, '127.0.0.1');
    let opened = false;
    return {
      url: () => url,
      isOpen: () => opened,
      async open() {
        if (opened) return url;
        url = await relisten(app.getHttpServer() as Server, port, host).catch((error: unknown) => {
          throw named(error, port);
        });
        opened = true;
        return url;
      },
    };
  } catch (error) {
    throw named(error, port);
  }
}

const named = (error: unknown, port: number) => portErrorOf(error, port)?.named('GATEWAY_PORT') ?? error;

async function checkFree(port: number, host: string) {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}

/** The private listener closes (the seed's idle keep-alive connections with it), then the public one opens. */
async function relisten(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
}
