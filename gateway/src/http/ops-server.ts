import type { Server } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { nestLogger, OpsModule, portErrorOf, type Logger, type ServiceRuntime } from '@marquee/subgraph-kit';

@Module({})
export class GatewayOpsModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return { module: GatewayOpsModule, imports: [OpsModule.forRoot(runtime)] };
  }
}

/**
 * /metrics and /ready on a port of their own (OPS_PORT; on by default in production), for the
 * scraper and the orchestrator only: they tell anyone who asks which subgraphs are down and
 * how much traffic each operation gets. /health stays on the public port too, for load balancers.
 */
export async function startOpsServer(
  runtime: ServiceRuntime,
  log: Logger,
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayOpsModule.forRoot(runtime), {
    logger: nestLogger(log),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  try {
    await app.listen(port, host);
  } catch (error) {
    throw portErrorOf(error, port)?.named('OPS_PORT') ?? error;
  }
  const address = (app.getHttpServer() as Server).address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** On the public port, when the ops port serves them: as if they did not exist. */
export function hideOpsRoutes(app: NestExpressApplication) {
  app.use(['/metrics', '/ready'], (_req: Request, res: Response, _next: NextFunction) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });
}
