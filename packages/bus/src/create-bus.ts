import type { Bus, BusLogger } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import { RedisBus } from './redis-bus.js';

/**
 * REDIS_URL chooses Redis; without it every service must share one in-process bus, which
 * only works when they run in one process (demo mode), so the caller passes that instance.
 */
export function createBus(options: {
  redisUrl?: string;
  prefix?: string;
  shared?: Bus;
  logger?: BusLogger;
}): Bus {
  if (options.redisUrl) {
    return new RedisBus({
      url: options.redisUrl,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return options.shared ?? new MemoryBus();
}
