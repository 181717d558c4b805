import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeSpan, REQUEST_ID_ATTRIBUTE, SERVICE_ATTRIBUTE } from '@marquee/telemetry';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';

/** What every log line written while serving a request carries (see the logger's mixin). */
export interface RequestScope {
  requestId: string;
  /** The GraphQL operation's name, once Apollo resolved it. */
  operation?: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is kept only if it is short and plain: it ends up in every log line. */
const USABLE_ID = /^[\w.:@-]{1,128}$/;
const OPS_PATH = /^\/(health|ready|metrics)(\?|$)/;

const scopes = new AsyncLocalStorage<RequestScope>();

/** The request being served, if any. */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}

const pathOf = (url: string | undefined) => (url ?? '/').split('?')[0];

/**
 * Express middleware, first in every service: the request id (the caller's x-request-id if
 * usable, else a new one; echoed in the response, and what the gateway forwards to subgraphs),
 * the request's scope for log lines, the service and request id on the HTTP span, and one JSON
 * access log line per request (pino-http) without headers, query string or body.
 */
export function observeRequests(service: string, log: Logger) {
  const access = pinoHttp({
    logger: log,
    genReqId: (req) => req.headers[REQUEST_ID_HEADER] as string,
    quietReqLogger: true,
    // Query strings may hold a GET request's variables; headers hold credentials.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: pathOf(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    autoLogging: { ignore: (req) => OPS_PATH.test(req.url ?? '') },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
  });
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const offered = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof offered === 'string' && USABLE_ID.test(offered) ? offered : randomUUID();
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // Several services share a process (and so a tracer) in demo mode: name the one serving.
    activeSpan()?.setAttributes({ [SERVICE_ATTRIBUTE]: service, [REQUEST_ID_ATTRIBUTE]: requestId });
    scopes.run({ requestId }, () => access(req, res, next));
  };
}
