import type { NextFunction, Request, Response } from 'express';
import { getOperationAST } from 'graphql';
import type { GatewayContext } from '../context.js';
import { startOperation, type OperationRequest, type StreamDeps } from './operations.js';
import { clientIp } from '../admission/middleware.js';
import { quotaRefusal, type SubscriptionQuota } from './quota.js';
import { LatestOnlyWriter } from './subscriber.js';

export interface SseOptions extends StreamDeps {
  /** The admitted request's context (admission ran before this middleware). */
  buildContext: (req: Request) => GatewayContext;
  /** Event streams count with graphql-ws subscriptions against the client's address and user. */
  quota: SubscriptionQuota;
  keepAliveMs?: number;
}

/**
 * Server-Sent Events for clients that send `Accept: text/event-stream` to /graphql (the
 * graphql-sse "distinct connections" format): `event: next` per payload, `event: complete` at
 * the end. POST carries the usual JSON body; GET carries query, variables and operationName in
 * the query string (EventSource can only GET). Everything else falls through to Apollo.
 */
export function sseMiddleware(options: SseOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!acceptsEventStream(req) || (req.method !== 'GET' && req.method !== 'POST')) return next();
    // Not admitted (a batch, say): Apollo refuses it.
    if (!req.admitted) return next();
    const context = options.buildContext(req);
    let request: OperationRequest;
    try {
      request = req.method === 'POST' ? ((req.body ?? {}) as OperationRequest) : fromQueryString(req.query);
    } catch {
      res
        .status(400)
        .json({ errors: [{ message: '`variables` must be JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }

    const refusal = refusalOf(req, request, options);
    if (refusal) {
      for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
      res
        .status(refusal.status)
        .json({ errors: [{ message: refusal.message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }

    const release = options.quota.acquire(clientIp(req), context.caller.user?.id);
    if (typeof release !== 'function') {
      res.status(429).json({ errors: quotaRefusal(release.refused) });
      return;
    }
    res.on('close', release);

    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      res.end();
    };
    const writer = new LatestOnlyWriter({
      bufferedAmount: () => res.socket?.writableLength ?? 0,
      write: (frame) => {
        if (!ended) res.write(frame);
      },
      onDrain: (listener) => res.once('drain', listener),
      overflow: () => res.destroy(),
    });
    // A comment line keeps proxies from closing an idle stream; skipped while output is backed up.
    const keepAlive = setInterval(() => {
      if (!ended && (res.socket?.writableLength ?? 0) === 0) res.write(':\n\n');
    }, options.keepAliveMs ?? 15_000);
    const stop = await startOperation(options, request, context, {
      next: (payloadJson) => writer.send(`event: next\ndata: ${payloadJson}\n\n`),
      error: (errorsJson) => {
        writer.sendFinal(`event: next\ndata: {"errors":${errorsJson}}\n\n`);
        writer.sendFinal('event: complete\ndata:\n\n');
        end();
      },
      complete: () => {
        writer.sendFinal('event: complete\ndata:\n\n');
        end();
      },
    });
    if (ended) return stop();
    res.on('close', () => {
      end();
      stop();
    });
  };
}

/** Content types a browser sends cross-origin without asking first (a CORS preflight). */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

/**
 * The rules Apollo applies to its own HTTP requests, for the event-stream ones it never sees:
 * GET runs no mutation (405, as Apollo answers), and a POST must be one a browser could not
 * send from a foreign page without a preflight (Apollo's CSRF rule: a non-simple content type
 * or one of its preflight headers). EventSource can only GET, so GET stays open for
 * subscriptions and queries, which change nothing.
 */
function refusalOf(
  req: Request,
  request: OperationRequest,
  options: SseOptions,
): { status: number; message: string; headers?: Record<string, string> } | undefined {
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const preflighted = PREFLIGHT_HEADERS.some((name) => (req.headers[name] ?? '').length > 0);
    if ((type === '' || SIMPLE_CONTENT_TYPES.includes(type)) && !preflighted) {
      return {
        status: 400,
        message:
          'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send it as application/json',
      };
    }
    return undefined;
  }
  if (typeof request.query !== 'string') return undefined;
  const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
  const prepared = options.planning().prepare(request.query, operationName);
  if (prepared.kind !== 'other') return undefined;
  const operation = getOperationAST(prepared.document, operationName);
  if (operation?.operation !== 'mutation') return undefined;
  return {
    status: 405,
    message: 'GET requests only support query and subscription operations; send mutations with POST',
    headers: { allow: 'POST' },
  };
}

function acceptsEventStream(req: Request): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

function fromQueryString(query: Request['query']): OperationRequest {
  const pick = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const variables = pick('variables');
  return {
    query: pick('query'),
    variables: variables ? (JSON.parse(variables) as unknown) : undefined,
    operationName: pick('operationName'),
  };
}
