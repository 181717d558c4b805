import type { NextFunction, Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import { startOperation, type OperationRequest, type StreamDeps } from './operations.js';
import { LatestOnlyWriter } from './subscriber.js';

export interface SseOptions extends StreamDeps {
  buildContext: (req: Request) => Promise<GatewayContext>;
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
    let context: GatewayContext;
    try {
      context = await options.buildContext(req);
    } catch (error) {
      const extensions = (error as { extensions?: { code?: string } }).extensions;
      res.status(401).json({
        errors: [
          {
            message: (error as Error).message,
            extensions: { code: extensions?.code ?? 'UNAUTHENTICATED' },
          },
        ],
      });
      return;
    }
    let request: OperationRequest;
    try {
      request = req.method === 'POST' ? ((req.body ?? {}) as OperationRequest) : fromQueryString(req.query);
    } catch {
      res
        .status(400)
        .json({ errors: [{ message: '`variables` must be JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }

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
