import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CLIENT_IP_HEADER, INTERNAL_HEADER, PARTNER_KEY_HEADER } from '@marquee/auth';
import { currentRequest, OPERATION_LABEL_HEADER, REQUEST_ID_HEADER } from '@marquee/subgraph-kit';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { CallOutcome, SubgraphObserver } from './subgraph-metrics.js';
import { fetchEntities } from './entity-memory.js';
import {
  BreakerOpenError,
  ResponseMemory,
  SubgraphTransport,
  type RawResponse,
} from './subgraph-transport.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface DataSourceOptions {
  url: string;
  internalSecret: string;
  timeoutMs: number;
  breakerResetMs: number;
  connections: number;
  memory: ResponseMemory;
  observer?: SubgraphObserver;
}

/**
 * How the gateway calls one subgraph. Every call carries the internal credential (subgraphs
 * refuse calls without it), the caller's own access token (which each subgraph verifies
 * again), the partner key id and the request id; trace context goes in the traceparent header
 * the undici instrumentation adds when tracing is on. The HTTP work is SubgraphTransport's.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly transport: SubgraphTransport;

  constructor(private readonly options: DataSourceOptions) {
    this.transport = new SubgraphTransport({
      url: options.url,
      timeoutMs: options.timeoutMs,
      breakerResetMs: options.breakerResetMs,
      connections: options.connections,
      memory: options.memory,
      ...(options.observer ? { onBreakerState: (state) => options.observer!.breakerState(state) } : {}),
    });
  }

  async process({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      [INTERNAL_HEADER]: this.options.internalSecret,
    };
    if (context?.authorization) headers.authorization = context.authorization;
    if (context?.partnerKeyId) headers[PARTNER_KEY_HEADER] = context.partnerKeyId;
    if (context?.clientIp) headers[CLIENT_IP_HEADER] = context.clientIp;
    headers[OPERATION_LABEL_HEADER] = context?.operationLabel ?? 'other';
    const requestId = currentRequest()?.requestId;
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    // Reads may share answers; the scope names everything an answer depends on but the body.
    const mutation = /^\s*mutation\b/.test(request.query ?? '');
    const scope = mutation
      ? undefined
      : `${this.options.url}\n${headers.authorization ?? ''}\n${headers[PARTNER_KEY_HEADER] ?? ''}`;
    const budget = context?.budget;
    const representations = request.variables?.representations;
    // Entities count whether fetched or remembered: the answer holds them either way.
    budget?.beforeFetch(Array.isArray(representations) ? representations.length : 0);
    const send = async (variables: Record<string, unknown> | undefined) => {
      const sending = this.send(headers, request.query ?? '', variables, request.operationName, scope);
      if (!budget) return (await sending).response;
      // The deadline is the request's: when it passes, this request answers now.
      const { response, bytes } = await budget.within(sending);
      budget.afterFetch(bytes);
      return response;
    };
    if (scope !== undefined && this.options.memory.ttlMs > 0 && Array.isArray(representations)) {
      const variables = { ...request.variables, representations };
      return fetchEntities(this.options.memory, scope, request.query ?? '', variables, send);
    }
    return send(request.variables);
  }

  private async send(
    headers: Record<string, string>,
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    scope: string | undefined,
  ): Promise<{ response: GatewayResponse; bytes: number }> {
    const body = JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) });
    const done = this.options.observer?.start();
    let raw: RawResponse;
    try {
      raw = await this.transport.post(headers, body, scope === undefined ? undefined : `${scope}\n${body}`);
    } catch (error) {
      done?.(outcomeOf(error));
      throw unavailable(error, this.options.timeoutMs);
    }
    done?.(raw.status < 300 ? 'ok' : 'http');
    const parsed = parse(raw);
    if (raw.status >= 300) throw refusal(raw, parsed);
    if (!parsed) throw unavailable(new Error('not JSON'), this.options.timeoutMs);
    this.options.observer?.graphqlErrors(parsed.errors?.length ?? 0);
    return { response: parsed, bytes: raw.text.length };
  }

  close() {
    return this.transport.close();
  }
}

function parse(raw: RawResponse): GatewayResponse | undefined {
  try {
    const body = JSON.parse(raw.text) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as GatewayResponse) : undefined;
  } catch {
    return undefined;
  }
}

function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof BreakerOpenError) return 'breaker';
  const code = (error as { code?: string }).code ?? '';
  const name = (error as { name?: string }).name ?? '';
  return /Timeout/.test(code) || /Timeout/.test(name) ? 'timeout' : 'network';
}

/** A subgraph that is down, slow or behind an open breaker: SERVICE_UNAVAILABLE for its part. */
function unavailable(error: unknown, timeoutMs: number): GraphQLError {
  const outcome = outcomeOf(error);
  const message =
    outcome === 'timeout'
      ? `A service did not answer within ${timeoutMs} ms`
      : outcome === 'breaker'
        ? 'A service is unavailable (circuit open); retry shortly'
        : 'A service is unavailable';
  return new GraphQLError(message, {
    extensions: { code: 'SERVICE_UNAVAILABLE' },
    originalError: error as Error,
  });
}

/**
 * A subgraph refusing a request (HTTP 4xx, e.g. a variable its own scalar rejects) answers
 * GraphQL errors with a code: pass the first on as it is. Anything else is unavailability.
 */
function refusal(raw: RawResponse, parsed: GatewayResponse | undefined): GraphQLError {
  const [first] = parsed?.errors ?? [];
  const code = first?.extensions?.code;
  if (raw.status < 500 && typeof code === 'string' && typeof first?.message === 'string') {
    return new GraphQLError(first.message, { extensions: { ...first.extensions, code } });
  }
  return new GraphQLError(`A service answered ${raw.status}`, {
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });
}
