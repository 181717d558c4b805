import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_HEADER } from '@marquee/auth';

export interface UpstreamSink {
  next(data: Record<string, unknown>): void;
  error(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): void;
  complete(): void;
}

export interface UpstreamScope {
  /** Connections are shared per scope: anonymous callers share one, each user has their own. */
  key: string;
  authorization?: string;
}

interface Connection {
  client: Client;
  subscriptions: number;
  idleTimer?: NodeJS.Timeout;
}

const IDLE_CLOSE_MS = 1_000;

/**
 * graphql-ws connections from the gateway to subgraphs: one per (subgraph, scope), since a
 * connection carries one identity; each multiplexes every subscription of its scope. They
 * retry forever and re-subscribe on reconnect (the subgraph then sends the current state
 * first), and close a moment after their last subscription ends.
 */
export class UpstreamClients {
  private readonly connections = new Map<string, Connection>();
  private active = 0;

  constructor(
    private readonly internalSecret: string,
    private readonly urlOf: (subgraph: string) => string,
  ) {}

  subscribe(
    subgraph: string,
    scope: UpstreamScope,
    request: { query: string; variables: Record<string, unknown>; operationName?: string },
    sink: UpstreamSink,
  ): () => void {
    const key = `${subgraph}\0${scope.key}`;
    const connection = this.connection(key, subgraph, scope);
    clearTimeout(connection.idleTimer);
    connection.subscriptions += 1;
    this.active += 1;
    const dispose = connection.client.subscribe<Record<string, unknown>>(
      {
        query: request.query,
        variables: request.variables,
        ...(request.operationName ? { operationName: request.operationName } : {}),
      },
      {
        next: (result) => {
          if (result.errors?.length) sink.error(result.errors as never);
          else if (result.data) sink.next(result.data);
        },
        // The subgraph refused the subscription (an array of GraphQL errors), or the link broke.
        error: (error) =>
          sink.error(
            Array.isArray(error)
              ? error
              : [{ message: describe(error), extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }],
          ),
        complete: () => sink.complete(),
      },
    );
    let disposed = false;
    return () => {
      if (disposed) return;
      disposed = true;
      dispose();
      this.active -= 1;
      connection.subscriptions -= 1;
      if (connection.subscriptions === 0) {
        connection.idleTimer = setTimeout(() => {
          if (connection.subscriptions > 0) return;
          this.connections.delete(key);
          void connection.client.dispose();
        }, IDLE_CLOSE_MS);
        connection.idleTimer.unref();
      }
    };
  }

  /** Subscriptions held upstream, across all connections. */
  get subscriptionCount(): number {
    return this.active;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const connection of all) clearTimeout(connection.idleTimer);
    await Promise.all(all.map((connection) => connection.client.dispose()));
  }

  private connection(key: string, subgraph: string, scope: UpstreamScope): Connection {
    let connection = this.connections.get(key);
    if (!connection) {
      connection = {
        subscriptions: 0,
        client: createClient({
          url: this.urlOf(subgraph).replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          lazy: true,
          lazyCloseTimeout: IDLE_CLOSE_MS,
          retryAttempts: Number.POSITIVE_INFINITY,
          shouldRetry: () => true,
          retryWait: (retries) => new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** retries))),
          connectionParams: {
            [INTERNAL_HEADER]: this.internalSecret,
            ...(scope.authorization ? { authorization: scope.authorization } : {}),
          },
        }),
      };
      this.connections.set(key, connection);
    }
    return connection;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error) {
    return `Subgraph connection closed (${String((error as { code: unknown }).code)})`;
  }
  return 'Subgraph subscription failed';
}
