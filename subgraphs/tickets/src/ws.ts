import type { IncomingMessage } from 'node:http';
import type { SubscriptionConfig } from '@nestjs/graphql';
import { INTERNAL_HEADER, internalSecretMatches } from '@marquee/auth';
import type { LiveAvailability } from './availability/live.js';

type Headers = Record<string, string | string[] | undefined>;

interface WsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: { request: IncomingMessage; socket: { close(code?: number, reason?: string): void } };
}

/**
 * graphql-ws on /graphql. Like HTTP, a connection needs the gateway's internal credential
 * (upgrade header or connectionParams); the caller's token may come either way too.
 */
export function liveSubscriptions(
  secret: string,
  live: LiveAvailability,
  context: (headers: Headers) => Promise<object>,
): SubscriptionConfig {
  const headersOf = (ctx: WsContext): Headers => {
    const params = ctx.connectionParams ?? {};
    const fromParams = (name: string) =>
      typeof params[name] === 'string' ? (params[name] as string) : undefined;
    const upgrade = ctx.extra.request.headers;
    return {
      ...upgrade,
      [INTERNAL_HEADER]: fromParams(INTERNAL_HEADER) ?? upgrade[INTERNAL_HEADER],
      authorization: fromParams('authorization') ?? fromParams('Authorization') ?? upgrade.authorization,
    };
  };
  const untrack = new WeakMap<object, () => void>();
  const options = {
    onConnect: (ctx: WsContext) => {
      const provided = headersOf(ctx)[INTERNAL_HEADER];
      if (!internalSecretMatches(Array.isArray(provided) ? provided[0] : provided, secret)) return false;
      untrack.set(ctx.extra.socket, live.track(ctx.extra.socket));
      return true;
    },
    onClose: (ctx: WsContext) => untrack.get(ctx.extra.socket)?.(),
    // The kit's context reads an HTTP request; over websockets there is none.
    context: (ctx: WsContext) => context(headersOf(ctx)),
  };
  return { 'graphql-ws': options as SubscriptionConfig['graphql-ws'] };
}
