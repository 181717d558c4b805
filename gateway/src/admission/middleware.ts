import type { NextFunction, Request, Response } from 'express';
import { admit, type AdmissionDeps, type Admitted } from './admission.js';
import { Refusal } from './errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** What admission accepted: the caller (verified) and the operation. Nothing runs without it. */
    admitted?: Admitted;
  }
}

/**
 * Admission for HTTP requests to /graphql (POST and GET, JSON and SSE alike). A persisted id
 * is swapped for its document here, so everything after sees an ordinary request.
 */
export function admissionMiddleware(deps: AdmissionDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' && req.method !== 'GET') return next();
    const get = req.method === 'GET';
    let request: { query?: unknown; extensions?: unknown; operationName?: unknown; variables?: unknown };
    try {
      request = get ? fromSearch(req) : ((req.body ?? {}) as typeof request);
    } catch {
      return sendRefusal(res, new Refusal(400, 'BAD_REQUEST', '`extensions` must be JSON'));
    }
    // Batches and other shapes are Apollo's to refuse.
    if (Array.isArray(request) || typeof request !== 'object') return next();
    const apiKey = req.headers['x-api-key'];
    const authorization = req.headers.authorization;
    try {
      const admitted = await admit(
        deps,
        {
          ...(typeof apiKey === 'string' ? { apiKey } : {}),
          ...(typeof authorization === 'string' ? { authorization } : {}),
          ip: clientIp(req),
        },
        request,
      );
      req.admitted = admitted;
      if (admitted.query !== undefined) rewrite(req, admitted.query);
      next();
    } catch (error) {
      if (error instanceof Refusal) return sendRefusal(res, error);
      next(error);
    }
  };
}

export function sendRefusal(res: Response, refusal: Refusal) {
  for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
  res.status(refusal.status).json(refusal.body);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The client's address with Express's `trust proxy` (TRUST_PROXY_HOPS) applied. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function fromSearch(req: Request) {
  const params = searchOf(req.originalUrl);
  const extensions = params.get('extensions');
  const variables = params.get('variables');
  let parsedVariables: unknown;
  try {
    parsedVariables = variables ? (JSON.parse(variables) as unknown) : undefined;
  } catch {
    parsedVariables = undefined; // Apollo answers the bad JSON itself
  }
  return {
    query: params.get('query') ?? undefined,
    operationName: params.get('operationName') ?? undefined,
    variables: parsedVariables,
    extensions: extensions ? (JSON.parse(extensions) as unknown) : undefined,
  };
}

/** The request as if the client had sent the document itself (Apollo's own APQ is off). */
function rewrite(req: Request, query: string) {
  if (req.method === 'POST') {
    const body: Record<string, unknown> = { ...(req.body as Record<string, unknown>), query };
    const extensions = body.extensions;
    // Anything but an object is Apollo's to refuse (`extensions` must be an object).
    if (isObject(extensions) && 'persistedQuery' in extensions) {
      const { persistedQuery: _drop, ...rest } = extensions;
      body.extensions = rest;
    }
    req.body = body;
    return;
  }
  const path = req.url.split('?', 1)[0]!;
  const params = searchOf(req.url);
  params.set('query', query);
  params.delete('extensions');
  req.url = `${path}?${params.toString()}`;
}

/** The query string's parameters; never throws, whatever the path looks like. */
function searchOf(url: string): URLSearchParams {
  const start = url.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : url.slice(start + 1));
}
