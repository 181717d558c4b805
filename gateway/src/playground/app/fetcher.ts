import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';

/** What the headers editor starts with: replace <token> with an access token from SignIn. */
export const TOKEN_PLACEHOLDER = 'Bearer <token>';
export const DEFAULT_HEADERS = JSON.stringify({ Authorization: TOKEN_PLACEHOLDER }, null, 2);

/** A header whose value still holds a `<...>` placeholder is not sent. */
export function withoutPlaceholders(headers: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(([, value]) => !(typeof value === 'string' && /<[^>]*>/.test(value))),
  );
}

/**
 * Queries and mutations over HTTP POST to the endpoint; subscriptions over graphql-ws
 * (`graphql-transport-ws`) on the same path, the headers going as connection params.
 * Both on this page's own origin.
 */
export function createFetcher(endpoint: string): Fetcher {
  const url = new URL(endpoint, window.location.href);
  const subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetcher = createGraphiQLFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });
  return (params, options) => fetcher(params, { ...options, headers: withoutPlaceholders(options?.headers) });
}
