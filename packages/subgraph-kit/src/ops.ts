import { Controller, Get, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { GraphQLPassThroughFilter } from './exception-filter.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HealthController } from './health.js';
import type { Logger } from './logger.js';
import { observePool, type PoolSource } from './pool-metrics.js';
import { RUNTIME } from './runtime-token.js';

export { RUNTIME };

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** What every service hands the shared plumbing: its name, logger, metrics and readiness checks. */
export interface ServiceRuntime {
  name: string;
  log: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
}

export function createRuntime(
  name: string,
  log: Logger,
  readiness: ReadinessCheck[] = [],
  /** The service's database: its pool shows on /metrics. */
  extras: { database?: PoolSource } = {},
): ServiceRuntime {
  // One registry per service: in demo mode several services share a process.
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: name });
  collectDefaultMetrics({ register: metrics });
  if (extras.database) observePool(metrics, extras.database);
  return { name, log, metrics, readiness };
}

interface Reply {
  status(code: number): Reply;
  type(value: string): Reply;
  send(body: unknown): void;
}

/** GET /metrics in Prometheus' text format (health and readiness: see health.ts). */
@Controller()
class MetricsController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('metrics')
  async metrics(@Res() res: Reply) {
    res.type(this.runtime.metrics.contentType).send(await this.runtime.metrics.metrics());
  }
}

/**
 * GET /health, /ready (@nestjs/terminus) and /metrics for any service, quiet GraphQL error handling, and JSON
 * errors with a code for everything else that fails an HTTP request.
 */
@Module({})
export class OpsModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: OpsModule,
      global: true,
      // Failed readiness checks are answered with 503 and the reasons; no error log per probe.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        {
          provide: APP_FILTER,
          useFactory: (r: ServiceRuntime) => new GraphQLPassThroughFilter(r.log),
          inject: [RUNTIME],
        },
      ],
      exports: [RUNTIME],
    };
  }
}
