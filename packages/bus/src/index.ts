export * from './bus.js';
export { MemoryBus } from './memory-bus.js';
export { RedisBus, clearRedisNamespace, type RedisBusOptions } from './redis-bus.js';
export * from './outbox.js';
export * from './contracts.js';
export { createBus } from './create-bus.js';
