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
import type { GatewayContext } from '../context.js';
import { startOperation, type StreamDeps } from './operations.js';
import { LatestOnlyWriter } from './subscriber.js';

export interface WsOptions extends StreamDeps {
  path: string;
  /** Verifies the caller from connection_init's payload or the upgrade request; throws to refuse. */
  authenticate: (authorization: string | undefined) => Promise<GatewayContext>;
  /** The HTTP admission checks, per subscribe message; throws a Refusal. */
  admit: (
    caller: { apiKey?: string; hasToken: boolean; ip: string },
    request: { query?: unknown; extensions?: unknown },
  ) => Promise<{ query: string | undefined; partner?: { id: string } }>;
  verifyApiKey: (key: string) => Promise<boolean>;
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

function serveConnection(ws: WebSocket, request: IncomingMessage, options: WsOptions) {
  options.onConnection?.(1);
  const operations = new Map<string, () => void>();
  let context: GatewayContext | undefined;
  let apiKey: string | undefined;
  let initReceived = false;
  const ip = request.socket.remoteAddress ?? 'unknown';
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
          context = await options.authenticate(authorizationFrom(message.payload, request));
          // A bad partner key fails the connection, like a bad token.
          if (apiKey !== undefined && !(await options.verifyApiKey(apiKey))) throw new Error('bad API key');
          clearTimeout(initTimer);
          ws.send(JSON.stringify({ type: MessageType.ConnectionAck }));
        } catch {
          ws.close(CloseCode.Forbidden, 'Forbidden');
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
        const finish = () => operations.delete(id);
        operations.set(id, () => {}); // reserve the id while starting
        let admitted;
        try {
          admitted = await options.admit(
            { ...(apiKey !== undefined ? { apiKey } : {}), hasToken: !!context.authorization, ip },
            message.payload,
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
        const operationContext = admitted.partner
          ? { ...context, partnerKeyId: admitted.partner.id }
          : context;
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
        if (operations.has(id)) operations.set(id, stop);
        else stop();
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
