import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/**
 * Requests per minute with rate-limiter-flexible: in Redis when the gateway has REDIS_URL (so
 * every gateway replica counts together), in memory otherwise; a Redis outage falls back to
 * per-process counting rather than letting everything through or failing everything.
 */
export class RateLimits {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  constructor(private readonly options: { redis?: Redis; prefix: string }) {}

  /** Undefined when allowed; otherwise how many seconds until the next request may pass. */
  async take(key: string, perMinute: number): Promise<number | undefined> {
    try {
      await this.limiter(perMinute).consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }

  private limiter(points: number): RateLimiterAbstract {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      const keyPrefix = `${this.options.prefix}:rl:${points}`;
      limiter = this.options.redis
        ? new RateLimiterRedis({
            storeClient: this.options.redis,
            keyPrefix,
            points,
            duration: 60,
            insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: 60 }),
          })
        : new RateLimiterMemory({ keyPrefix, points, duration: 60 });
      this.limiters.set(points, limiter);
    }
    return limiter;
  }
}
