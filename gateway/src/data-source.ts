import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_HEADER, PARTNER_KEY_HEADER } from '@marquee/auth';
import type { GatewayContext } from './context.js';

/**
 * Every subgraph call carries the internal credential (subgraphs refuse calls without it)
 * and the caller's own access token, which each subgraph verifies again for itself.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly internalSecret: string,
    timeoutMs: number,
  ) {
    super({
      url,
      // Node's own fetch (undici, keep-alive pools) with a deadline per subgraph call.
      fetcher: ((input: string, init?: RequestInit) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const headers = request.http!.headers;
    headers.set(INTERNAL_HEADER, this.internalSecret);
    if (context?.authorization) headers.set('authorization', context.authorization);
    if (context?.partnerKeyId) headers.set(PARTNER_KEY_HEADER, context.partnerKeyId);
  }
}
