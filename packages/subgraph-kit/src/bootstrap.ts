import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { hasInternalCredential } from './caller.js';
import { jsonBodyOptions } from './http-errors.js';
import { portErrorOf } from './listen-errors.js';
import { nestLogger } from './logger.js';
import type { ServiceRuntime } from './ops.js';
import { observeRequests } from './request-scope.js';
import { trackRequests } from './shutdown.js';

export interface SubgraphAppOptions {
  internalSecret: string;
  bodyLimit?: string;
  /** Its name and logger: request ids, access logs and Nest's own messages go through it. */
  runtime: ServiceRuntime;
}

/**
 * A Nest app with the plumbing every subgraph shares: no version banner, a body limit (UTF-8
 * JSON only), and /graphql refused to anyone without the gateway's internal credential.
 */
export async function createSubgraphApp(
  module: unknown,
  options: SubgraphAppOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    logger: nestLogger(options.runtime.log),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.use(observeRequests(options.runtime.name, options.runtime.log));
  app.use('/graphql', (req: Request, res: Response, next: NextFunction) => {
    if (hasInternalCredential(req, options.internalSecret)) return next();
    res.status(401).json({
      errors: [
        {
          message: 'Subgraphs are reached through the gateway only',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });
  // After the credential check: outsiders are refused before their body is even read. Parser
  // failures (invalid JSON or UTF-8, too large, odd charsets) are answered as JSON errors with a
  // code by OpsModule's exception filter.
  app.useBodyParser('json', jsonBodyOptions(options.bodyLimit ?? '1mb'));
  return app;
}

/**
 * Listens and returns the URL of /graphql (port 0 picks a free port, as tests do). Requests in
 * flight are counted from here on, for drainHttpServer.
 */
export async function listen(app: INestApplication, port: number, host = '0.0.0.0'): Promise<string> {
  const server = app.getHttpServer() as Server;
  trackRequests(server);
  try {
    await app.listen(port, host);
  } catch (error) {
    // A port taken or not allowed is a setting to change, not a crash (see listen-errors.ts).
    throw portErrorOf(error, port) ?? error;
  }
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
}

/** A started service, as the launcher and tests hold it. */
export interface RunningService {
  name: string;
  /** Its /graphql URL. */
  url: string;
  close(): Promise<void>;
  /** Publishes pending outbox rows now (tests use it instead of waiting for the relay's poll). */
  settle?(): Promise<void>;
}
