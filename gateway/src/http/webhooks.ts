import { addressBucket, CLIENT_IP_HEADER, INTERNAL_HEADER } from '@marquee/auth';
import { REQUEST_ID_HEADER } from '@marquee/subgraph-kit';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { clientIp } from '../admission/middleware.js';

/** Where Stripe delivers events, on the gateway's public port; tickets answers the same path. */
export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';
/** Stripe's events are a few KiB; anything this large is not one. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** What tickets answers is a small acknowledgement; a larger answer is relayed without its body. */
const REPLY_LIMIT = 16 * 1024;
/** The only metric label value this route has. */
const ROUTE = 'webhooks/stripe';

export interface StripeWebhookOptions {
  /** tickets' /graphql URL as the gateway routes to it (TICKETS_URL or the supergraph's). */
  ticketsUrl: () => string | undefined;
  internalSecret: string;
  timeoutMs: number;
  /** Counts one request against `key`: the seconds to wait when over the limit, else undefined. */
  rateLimit: (key: string) => Promise<number | undefined>;
  metrics: Registry;
  bodyLimit?: number;
}

/**
 * POST /webhooks/stripe: Stripe's event deliveries, passed to tickets untouched. Stripe signs
 * the exact bytes it sends, so this runs before the JSON body parser and nothing here parses or
 * re-encodes the body; tickets checks the signature (constructEvent) and answers. No GraphQL
 * admission (there is no operation), but a rate limit per address and a size limit like every
 * other route. When tickets cannot be reached the answer is a 5xx, so Stripe delivers again.
 */
export function stripeWebhooks(options: StripeWebhookOptions) {
  const limit = options.bodyLimit ?? WEBHOOK_BODY_LIMIT;
  const requests = new Counter({
    name: 'gateway_webhook_requests_total',
    help: 'Webhook deliveries received by the gateway, by route and the status class answered',
    labelNames: ['route', 'status'],
    registers: [options.metrics],
  });
  const duration = new Histogram({
    name: 'gateway_webhook_request_duration_seconds',
    help: 'Time to answer a webhook delivery (tickets processing it included)',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [options.metrics],
  });

  const handle = async (req: Request, res: Response) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return fail(res, 405, 'METHOD_NOT_ALLOWED', 'Webhooks are delivered with POST');
    }
    const retryAfter = await options.rateLimit(`webhook:${addressBucket(clientIp(req))}`);
    if (retryAfter !== undefined) {
      res.setHeader('retry-after', String(retryAfter));
      return fail(res, 429, 'RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`);
    }
    const contentType = req.headers['content-type'];
    if (mediaType(contentType) !== 'application/json') {
      return fail(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Webhooks are sent as application/json');
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      // The signature is over the bytes as sent: nothing to decode, and Stripe encodes nothing.
      return fail(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Webhooks are sent without Content-Encoding');
    }
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string' || signature.length === 0) {
      return fail(res, 400, 'BAD_REQUEST', 'Missing Stripe-Signature header');
    }
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      // Said up front: answer before the body arrives, and close rather than read it.
      res.setHeader('connection', 'close');
      return fail(res, 413, 'BAD_REQUEST', `The request body is larger than ${limit} bytes`);
    }
    const body = await readBody(req, limit);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      return fail(res, 413, 'BAD_REQUEST', `The request body is larger than ${limit} bytes`);
    }
    const target = options.ticketsUrl();
    if (!target) return fail(res, 502, 'SERVICE_UNAVAILABLE', 'The payments service is not configured');
    await forward(res, target.replace(/\/graphql\/?$/, STRIPE_WEBHOOK_PATH), body, {
      'content-type': contentType!,
      accept: 'application/json',
      'stripe-signature': signature,
      [INTERNAL_HEADER]: options.internalSecret,
      [CLIENT_IP_HEADER]: clientIp(req),
      ...requestIdOf(req),
    });
  };

  const forward = async (res: Response, url: string, body: Buffer, headers: Record<string, string>) => {
    let reply: globalThis.Response;
    let text: string | undefined;
    try {
      const signal = AbortSignal.timeout(options.timeoutMs);
      reply = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
      text = await readReply(reply);
    } catch (error) {
      const timedOut = (error as { name?: string }).name === 'TimeoutError';
      return timedOut
        ? fail(
            res,
            504,
            'SERVICE_UNAVAILABLE',
            `The payments service did not answer within ${options.timeoutMs} ms`,
          )
        : fail(res, 502, 'SERVICE_UNAVAILABLE', 'The payments service is unavailable');
    }
    res.status(reply.status);
    if (text === undefined) return res.end();
    res.type('application/json').send(text);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    // Mounted with app.use: /webhooks/stripe/anything is not this route.
    if (req.path !== '/') return next();
    const stop = duration.startTimer({ route: ROUTE });
    res.once('finish', () => {
      stop();
      requests.inc({ route: ROUTE, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      next(error); // the exception filter answers a generic 500
    });
  };
}

function fail(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** `application/json; charset=utf-8` -> `application/json`. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]!.trim().toLowerCase();
}

function requestIdOf(req: Request): Record<string, string> {
  const id = req.headers[REQUEST_ID_HEADER];
  return typeof id === 'string' ? { [REQUEST_ID_HEADER]: id } : {};
}

/**
 * The body's exact bytes, up to `limit`. Past it (a chunked body: a declared length was checked
 * before) the rest is read and dropped, so the 413 reaches the client; the server's request
 * timeout bounds how long that takes.
 */
function readBody(req: Request, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks, size)));
    req.once('error', () => resolve('aborted'));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

/** tickets' answer when it is small JSON; undefined (and the rest dropped) when it is not. */
async function readReply(reply: globalThis.Response): Promise<string | undefined> {
  if (!reply.body) return undefined;
  if (mediaType(reply.headers.get('content-type') ?? undefined) !== 'application/json') {
    await reply.body.cancel();
    return undefined;
  }
  const reader = reply.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > REPLY_LIMIT) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
