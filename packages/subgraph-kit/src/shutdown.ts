import type { Server, ServerResponse } from 'node:http';
import { telemetry } from '@marquee/telemetry';

/** Graceful shutdown's bound when SHUTDOWN_TIMEOUT_MS is not given. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** "Service Restart": graphql-ws clients reconnect (to another replica) on it. */
export const CLOSE_SERVICE_RESTART = 1012;

interface Tracked {
  inFlight: Set<ServerResponse>;
  draining: boolean;
}
const servers = new WeakMap<Server, Tracked>();

/** Starts counting a server's in-flight requests (listen() does it for every service). */
export function trackRequests(server: Server) {
  if (servers.has(server)) return;
  const tracked: Tracked = { inFlight: new Set(), draining: false };
  servers.set(server, tracked);
  server.on('request', (_req, res: ServerResponse) => {
    // A request that reached a keep-alive connection while draining is served, then the
    // connection closes: the client opens its next one elsewhere.
    if (tracked.draining && !res.headersSent) res.setHeader('connection', 'close');
    tracked.inFlight.add(res);
    res.once('close', () => {
      tracked.inFlight.delete(res);
      // Its connection is idle now: close it rather than wait for keep-alive to time out.
      if (tracked.draining) setImmediate(() => server.closeIdleConnections());
    });
  });
}

/**
 * Stops an HTTP server gracefully: no new connections from now on, `closeStreams` ends the
 * long-lived ones (websockets with 1012, event streams), requests in flight finish, and
 * keep-alive connections close as they go idle. After `timeoutMs` whatever is left is cut.
 */
export async function drainHttpServer(
  server: Server,
  timeoutMs: number,
  closeStreams?: () => unknown,
): Promise<void> {
  const tracked = servers.get(server);
  if (tracked) {
    tracked.draining = true;
    for (const res of tracked.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closeStreams?.();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  server.closeAllConnections();
}

export interface ShutdownLog {
  info(message: string): void;
  error(object: object, message: string): void;
}

/**
 * Standalone entry points: on SIGTERM or SIGINT close gracefully (the service drains its HTTP
 * server, flushes its outbox and closes its pools), flush telemetry, exit 0. A second signal,
 * or a shutdown outliving `timeoutMs` by 5 s, exits 1 at once.
 */
export function closeOnSignals(
  service: { close(): Promise<void> },
  log: ShutdownLog,
  options: { timeoutMs?: number; exit?: (code: number) => void } = {},
) {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) {
      log.info(`${signal} received again, exiting now`);
      return exit(1);
    }
    closing = true;
    log.info(`${signal} received, shutting down`);
    setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time');
      exit(1);
    }, timeoutMs + 5_000).unref();
    try {
      await service.close();
      await telemetry().shutdown();
      exit(0);
    } catch (error) {
      log.error({ err: String(error) }, 'shutdown failed');
      exit(1);
    }
  };
  const handlers = { SIGTERM: () => void stop('SIGTERM'), SIGINT: () => void stop('SIGINT') };
  process.on('SIGTERM', handlers.SIGTERM);
  process.on('SIGINT', handlers.SIGINT);
  return () => {
    process.off('SIGTERM', handlers.SIGTERM);
    process.off('SIGINT', handlers.SIGINT);
  };
}
