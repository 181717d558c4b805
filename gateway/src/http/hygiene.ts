import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { jsonBodyOptions } from '@marquee/subgraph-kit';
import type { GatewayEnv } from '../env.js';

type HygieneEnv = Pick<
  GatewayEnv,
  | 'NODE_ENV'
  | 'CORS_ORIGINS'
  | 'BODY_LIMIT_BYTES'
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
>;

const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Headers a browser app may send cross-origin (the token, a partner key, Apollo's CSRF header). */
const ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
];

/**
 * Which browser origins may call the gateway: the CORS_ORIGINS list, or when it is unset any
 * localhost origin outside production and none in production. `*` allows every origin, but then
 * never with credentials.
 */
export function corsPolicy(env: Pick<GatewayEnv, 'NODE_ENV' | 'CORS_ORIGINS'>) {
  const listed = env.CORS_ORIGINS;
  const any = listed?.includes('*') ?? false;
  const allowed = (origin: string) =>
    listed === undefined
      ? env.NODE_ENV !== 'production' && LOCALHOST.test(origin)
      : any || listed.includes(origin.toLowerCase());
  return { any, allowed };
}

/**
 * The gateway's HTTP hygiene, applied before any route: security headers (helmet), CORS from
 * an allow-list, the JSON body parser with its size limit (failures become JSON errors with a
 * code, see the kit's exception filter), an answer to every preflight, and server timeouts
 * against slow clients.
 */
export function applyHttpHygiene(app: NestExpressApplication, env: HygieneEnv): void {
  const production = env.NODE_ENV === 'production';
  app.disable('x-powered-by');
  app.use(
    helmet({
      // The API answers JSON only; the playground page sends its own, looser policy.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      // Browsers ignore HSTS over plain HTTP; in production the gateway sits behind TLS.
      strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
  );

  const cors = corsPolicy(env);
  app.enableCors({
    origin: cors.any
      ? '*'
      : (origin, callback) => callback(null, origin !== undefined && cors.allowed(origin)),
    credentials: !cors.any,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  // A preflight the CORS policy did not answer (an origin not allowed, or no origin at all) gets
  // an empty 204 without any Access-Control-* header: the browser then refuses the request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('allow', 'GET, POST, OPTIONS');
    res.status(204).end();
  });

  app.useBodyParser('json', jsonBodyOptions(env.BODY_LIMIT_BYTES));

  const server = app.getHttpServer() as Server;
  server.headersTimeout = Math.min(env.HTTP_HEADERS_TIMEOUT_MS, env.HTTP_REQUEST_TIMEOUT_MS);
  server.requestTimeout = env.HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  // Node checks the two timeouts above on an interval (30 s by default): check often enough
  // that a slow client is cut off close to its deadline. Read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(5_000, Math.floor(server.headersTimeout / 2)),
  );
}
