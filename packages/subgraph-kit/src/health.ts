import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { ServiceRuntime } from './ops.js';
import { RUNTIME } from './runtime-token.js';

/** A dependency is down when its check fails or takes longer than this. */
const CHECK_TIMEOUT_MS = 2_000;

interface Reply {
  status(code: number): Reply;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * GET /health: the process is alive and serving HTTP (no dependency is asked, so an outage of
 * Postgres never gets healthy replicas restarted). GET /ready: every dependency the service
 * needs answered (Postgres, the bus' Redis, at the gateway the subgraphs): 200, or 503 naming
 * the ones that are down, so a load balancer stops sending it traffic. Both in terminus' shape:
 * `{ status, info, error, details }`.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('health')
  alive(@Res() res: Reply) {
    return this.answer(res, [() => this.indicators.check(this.runtime.name).up()]);
  }

  @Get('ready')
  ready(@Res() res: Reply) {
    return this.answer(
      res,
      this.runtime.readiness.map(
        ({ name, check }) =>
          () =>
            this.indicators
              .check(name)
              .attempt(async () => {
                if (!(await check())) throw new Error(`${name} is unreachable`);
              })
              .withTimeout(CHECK_TIMEOUT_MS),
      ),
    );
  }

  /** Answered here, not by the app's exception filter, so a 503 keeps terminus' details. */
  private async answer(res: Reply, checks: HealthIndicatorFunction[]) {
    res.setHeader('cache-control', 'no-cache, no-store, must-revalidate');
    try {
      res.status(200).json(await this.health.check(checks));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503).json(error.getResponse());
    }
  }
}
