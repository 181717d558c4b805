import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * The client's address for transports Express does not see (the graphql-ws upgrade), by the
 * same rule Express applies to `req.ip` with `trust proxy` set to a hop count: the address
 * `hops` proxies before ours in X-Forwarded-For, and the socket's peer when no proxy is trusted.
 */
export function clientIpResolver(hops: number): (request: IncomingMessage) => string {
  const trust = (_address: string, index: number) => index < hops;
  return (request) => {
    try {
      return proxyAddr(request, trust);
    } catch {
      return request.socket.remoteAddress ?? 'unknown';
    }
  };
}
