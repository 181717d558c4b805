import { Controller, Get, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLPassThroughFilter } from './exception-filter.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from './logger.js';

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

export const RUNTIME = Symbol('ServiceRuntime');

export function createRuntime(name: string, log: Logger, readiness: ReadinessCheck[] = []): ServiceRuntime {
  // One registry per service: in demo mode several services share a process.
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: name });
  collectDefaultMetrics({ register: metrics });
  return { name, log, metrics, readiness };
}

interface Reply {
  status(code: number): Reply;
  type(value: string): Reply;
  send(body: unknown): void;
}

@Controller()
class OpsController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('health')
  health() {
    return { status: 'ok', service: this.runtime.name };
  }

  @Get('ready')
  async ready(@Res() res: Reply) {
    const results = await Promise.all(
      this.runtime.readiness.map(async ({ name, check }) => {
        const ok = await Promise.race([
          check().catch(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref()),
        ]);
        return [name, ok ? 'up' : 'down'] as const;
      }),
    );
    const ready = results.every(([, state]) => state === 'up');
    res
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  }

  @Get('metrics')
  async metrics(@Res() res: Reply) {
    res.type(this.runtime.metrics.contentType).send(await this.runtime.metrics.metrics());
  }
}

/** GET /health, /ready and /metrics for any service, and quiet GraphQL error handling. */
@Module({})
export class OpsModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: OpsModule,
      global: true,
      controllers: [OpsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: APP_FILTER, useClass: GraphQLPassThroughFilter },
      ],
      exports: [RUNTIME],
    };
  }
}
