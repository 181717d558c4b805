import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  parseMessage,
  type Message,
} from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_SERVICE_RESTART } from '@marquee/subgraph-kit';
import { Refusal } from '../admission/errors.js';
import type { AdmissionCaller, Admitted } from '../admission/index.js';
import type { GatewayContext } from '../context.js';
import { startOperation, type StreamDeps } from './operations.js';
import { quotaRefusal, type SubscriptionQuota } from './quota.js';
import { LatestOnlyWriter } from './subscriber.js';

export interface WsOptions extends StreamDeps {
  path: string;
  /** Rate limits and credentials (the same as HTTP) at connection_init; throws a Refusal. */
  identify: (caller: AdmissionCaller) => Promise<Omit<Admitted, 'query'>>;
  /** The HTTP admission checks, per subscribe message; throws a Refusal. */
  admit: (caller: AdmissionCaller, request: Record<string, unknown>) => Promise<Admitted>;
  contextFor: (admitted: Admitted, authorization: string | undefined, clientIp: string) => GatewayContext;
  /** The client's address by the HTTP rule (TRUST_PROXY_HOPS). */
  clientIp: (request: IncomingMessage) => string;
  /** The CORS allow-list: browsers send Origin with the upgrade. */
  originAllowed: (origin: string) => boolean;
  quota: SubscriptionQuota;
  connectionInitTimeoutMs?: number;
  onConnection?: (delta: 1 | -1) => void;
}

/**
 * The graphql-transport-ws protocol (the one graphql-ws speaks) on the gateway's HTTP server.
 * Written here rather than taken from graphql-ws's server because that server serialises every
 * payload once per subscriber; this one frames the hub's shared serialised payload instead.
 * Close codes and rules follow the protocol (4400, 4401, 4403, 4408, 4409, 4429, 4406).
 */
export function attachWebSocketServer(server: Server, options: WsOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    handleProtocols: (protocols) =>
      protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false,
  });
  const onUpgrade = (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== options.path) return;
    // A browser page may only open a socket from an origin CORS allows (no cross-site hijacking).
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, request.headers.host) && !options.originAllowed(origin))
      return refuseUpgrade(socket, 403, 'FORBIDDEN', 'This origin may not open a connection');
    const ip = options.clientIp(request);
    if (!options.quota.connect(ip)) {
      const { connectionsPerIp } = options.quota.limits;
      return refuseUpgrade(
        socket,
        429,
        'RATE_LIMITED',
        `At most ${connectionsPerIp} connections per client address`,
      );
    }
    socket.once('close', () => options.quota.disconnect(ip));
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
        ws.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
        return;
      }
      serveConnection(ws, request, options);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    /** Closes every connection with 1012 "Service Restart" (graphql-ws clients reconnect, elsewhere). */
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(CLOSE_SERVICE_RESTART, 'Service restart');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    get connections() {
      return wss.clients.size;
    },
  };
}

/** The page was served by this gateway (the playground): always allowed, as browsers allow it for HTTP. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** An HTTP answer on the raw socket before any handshake: JSON with a code, like every other refusal. */
function refuseUpgrade(socket: Socket, status: number, code: string, message: string) {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  const reason = status === 429 ? 'Too Many Requests' : 'Forbidden';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function serveConnection(ws: WebSocket, request: IncomingMessage, options: WsOptions) {
  options.onConnection?.(1);
  const operations = new Map<string, () => void>();
  let context: GatewayContext | undefined;
  let apiKey: string | undefined;
  let authorization: string | undefined;
  let initReceived = false;
  const ip = options.clientIp(request);
  const initTimer = setTimeout(() => {
    if (!context) ws.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
  }, options.connectionInitTimeoutMs ?? 3_000);
  const transport = {
    bufferedAmount: () => ws.bufferedAmount,
    write: (frame: string) => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    },
    onDrain: (listener: () => void) => {
      const raw = (ws as unknown as { _socket?: Socket })._socket;
      if (raw && !raw.destroyed) raw.once('drain', listener);
    },
    overflow: () => ws.close(1013, 'Consumer too slow'),
  };

  ws.on('message', async (raw, isBinary) => {
    let message: Message;
    try {
      if (isBinary) throw new Error('binary');
      message = parseMessage(raw.toString());
    } catch {
      ws.close(CloseCode.BadRequest, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (initReceived)
          return ws.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        initReceived = true;
        try {
          apiKey = apiKeyFrom(message.payload, request);
          authorization = authorizationFrom(message.payload, request);
          const identified = await options.identify({
            ...(apiKey !== undefined ? { apiKey } : {}),
            ...(authorization !== undefined ? { authorization } : {}),
            ip,
          });
          context = options.contextFor({ query: undefined, ...identified }, authorization, ip);
          clearTimeout(initTimer);
          ws.send(JSON.stringify({ type: MessageType.ConnectionAck }));
        } catch (error) {
          // Over a rate limit: 4429 (graphql-ws's "too many" code family); a bad key or token: 4403.
          if (error instanceof Refusal && error.code === 'RATE_LIMITED') ws.close(4429, 'Too many requests');
          else ws.close(CloseCode.Forbidden, 'Forbidden');
        }
        return;
      }
      case MessageType.Ping:
        ws.send(
          JSON.stringify(
            message.payload
              ? { type: MessageType.Pong, payload: message.payload }
              : { type: MessageType.Pong },
          ),
        );
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe: {
        if (!context) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
        const { id } = message;
        if (operations.has(id))
          return ws.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
        const idJson = JSON.stringify(id);
        const writer = new LatestOnlyWriter(transport);
        const refuse = (errors: unknown) =>
          writer.sendFinal(`{"id":${idJson},"type":"error","payload":${JSON.stringify(errors)}}`);
        const { perConnection } = options.quota.limits;
        if (operations.size >= perConnection)
          return refuse(quotaRefusal(`At most ${perConnection} operations at once on one connection`));
        const release = options.quota.acquire(ip, context.caller.user?.id);
        if (typeof release !== 'function') return refuse(quotaRefusal(release.refused));
        const finish = () => {
          operations.delete(id);
          release();
        };
        operations.set(id, release); // reserve the id while starting
        let admitted: Admitted;
        try {
          admitted = await options.admit(
            { ...(apiKey !== undefined ? { apiKey } : {}), user: context.caller.user ?? null, ip },
            message.payload as unknown as Record<string, unknown>,
          );
        } catch (error) {
          finish();
          const payload =
            error instanceof Refusal
              ? error.body.errors
              : [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
          writer.sendFinal(`{"id":${idJson},"type":"error","payload":${JSON.stringify(payload)}}`);
          return;
        }
        const operationContext = options.contextFor(admitted, authorization, ip);
        const subscriber = {
          next: (payloadJson: string) =>
            writer.send(`{"id":${idJson},"type":"next","payload":${payloadJson}}`),
          error: (errorsJson: string) => {
            finish();
            writer.sendFinal(`{"id":${idJson},"type":"error","payload":${errorsJson}}`);
          },
          complete: () => {
            finish();
            writer.sendFinal(`{"id":${idJson},"type":"complete"}`);
          },
        };
        let stop: () => void;
        try {
          stop = await startOperation(
            options,
            { ...message.payload, query: admitted.query },
            operationContext,
            subscriber,
          );
        } catch {
          // Nothing a client sends should get here; if something does, it ends this operation only.
          subscriber.error(
            '[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]',
          );
          return;
        }
        if (operations.has(id)) {
          operations.set(id, () => {
            stop();
            release();
          });
        } else stop();
        return;
      }
      case MessageType.Complete: {
        const stop = operations.get(message.id);
        operations.delete(message.id);
        stop?.();
        return;
      }
      default:
        ws.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  });

  ws.on('close', () => {
    clearTimeout(initTimer);
    for (const stop of operations.values()) stop();
    operations.clear();
    options.onConnection?.(-1);
  });
  ws.on('error', () => ws.terminate());
}

function apiKeyFrom(payload: unknown, request: IncomingMessage): string | undefined {
  const params = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const headers = (params.headers && typeof params.headers === 'object' ? params.headers : {}) as Record<
    string,
    unknown
  >;
  for (const candidate of [params['x-api-key'], headers['x-api-key']]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header ? header : undefined;
}

/** The token may come in connection_init's payload (browsers cannot set headers) or the upgrade request. */
function authorizationFrom(payload: unknown, request: IncomingMessage): string | undefined {
  const params = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const headers = (params.headers && typeof params.headers === 'object' ? params.headers : {}) as Record<
    string,
    unknown
  >;
  for (const candidate of [
    params.authorization,
    params.Authorization,
    headers.authorization,
    headers.Authorization,
  ]) {
    if (typeof candidate === 'string' && candidate) return candidate;
  }
  const header = request.headers.authorization;
  return typeof header === 'string' && header ? header : undefined;
}
