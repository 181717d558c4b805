import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_HEADER, PARTNER_KEY_HEADER } from '@marquee/auth';
import { currentRequest, REQUEST_ID_HEADER } from '@marquee/subgraph-kit';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.js';
import type { SubgraphObserver } from './subgraph-metrics.js';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

/**
 * Every subgraph call carries the internal credential (subgraphs refuse calls without it),
 * the caller's own access token, which each subgraph verifies again for itself, and the
 * request's id (its log lines there carry the same one). Trace context travels in the
 * traceparent header, set by the fetch instrumentation when tracing is on.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly internalSecret: string,
    private readonly timeoutMs: number,
    private readonly observer?: SubgraphObserver,
  ) {
    super({
      url,
      // Node's own fetch (undici, keep-alive pools) with a deadline per subgraph call.
      fetcher: ((input: string, init?: RequestInit) => {
        const call = fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        return observer ? observer.fetch(call) : call;
      }) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const headers = request.http!.headers;
    headers.set(INTERNAL_HEADER, this.internalSecret);
    if (context?.authorization) headers.set('authorization', context.authorization);
    if (context?.partnerKeyId) headers.set(PARTNER_KEY_HEADER, context.partnerKeyId);
    const requestId = currentRequest()?.requestId;
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
  }

  override didReceiveResponse<T>(options: { response: T & { errors?: readonly unknown[] } }): T {
    this.observer?.graphqlErrors(options.response.errors?.length ?? 0);
    return options.response;
  }

  /**
   * A subgraph refusing a request (HTTP 4xx, e.g. a variable its own scalar rejects) answers
   * GraphQL errors with a code: pass the first on as it is, rather than Apollo's bare
   * "400: Bad Request" (which has no code and would be masked as an internal error).
   */
  override async errorFromResponse(response: FetcherResponse) {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: unknown } | undefined)?.body;
    const [first] =
      ((body as { errors?: unknown } | undefined)?.errors as
        { message?: unknown; extensions?: { code?: unknown } }[] | undefined) ?? [];
    const code = first?.extensions?.code;
    if (response.status >= 500 || typeof code !== 'string' || typeof first?.message !== 'string')
      return error;
    return new GraphQLError(first.message, { extensions: { ...first.extensions, code } });
  }

  /** A subgraph that does not answer (in time) is SERVICE_UNAVAILABLE for its part of the data. */
  override didEncounterError(error: Error): never {
    if (error instanceof GraphQLError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new GraphQLError(`A service did not answer within ${this.timeoutMs} ms`, {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
        originalError: error,
      });
    }
    throw new GraphQLError('A service is unavailable', {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
      originalError: error,
    });
  }
}
