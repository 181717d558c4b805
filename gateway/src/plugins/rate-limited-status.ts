import type { ApolloServerPlugin } from '@apollo/server';

/**
 * A subgraph's own throttle (sign-in, sign-up) answers RATE_LIMITED as a GraphQL error: when
 * that is all the answer holds, the HTTP answer says so too (429 with Retry-After), as the
 * gateway's own rate limits do, so clients and proxies back off the same way for both.
 */
export function rateLimitedStatus(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || (data && Object.values(data).some((value) => value !== null))) return;
          if (!errors.every((error) => error.extensions?.code === 'RATE_LIMITED')) return;
          const waits = errors
            .map((error) => Number(error.extensions?.retryAfterSeconds))
            .filter(Number.isFinite);
          response.http.status = 429;
          if (waits.length > 0) response.http.headers.set('retry-after', String(Math.max(1, ...waits)));
        },
      };
    },
  };
}
