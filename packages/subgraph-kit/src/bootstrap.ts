import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { hasInternalCredential } from './caller.js';

export interface SubgraphAppOptions {
  internalSecret: string;
  bodyLimit?: string;
}

/**
 * A Nest app with the plumbing every subgraph shares: no version banner, a body limit, and
 * /graphql refused to anyone without the gateway's internal credential.
 */
export async function createSubgraphApp(
  module: unknown,
  options: SubgraphAppOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    logger: ['error', 'warn'],
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb' });
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
  return app;
}

/** Listens and returns the URL of /graphql (port 0 picks a free port, as tests do). */
export async function listen(app: INestApplication, port: number, host = '0.0.0.0'): Promise<string> {
  await app.listen(port, host);
  const server = app.getHttpServer() as { address(): { port: number } };
  return `http://127.0.0.1:${server.address().port}/graphql`;
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

/** Standalone entry points: close cleanly on SIGTERM/SIGINT. */
export function closeOnSignals(service: { close(): Promise<void> }, log: { info(msg: string): void }) {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal} received, shutting down`);
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
