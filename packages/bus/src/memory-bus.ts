import { EventEmitter } from 'node:events';
import type { Bus, BusMessage, Handler } from './bus.js';

/**
 * The in-process adapter, for when every service runs in one process (demo mode, tests
 * without REDIS_URL). `publish` resolves only after every group's handler has finished, so
 * the outbox relay marks a row published only once it was really consumed: a failing
 * handler makes publish reject and the relay tries again later.
 */
export class MemoryBus implements Bus {
  private readonly groups = new Map<string, Map<string, Handler[]>>();
  private readonly cursor = new Map<string, number>();
  private readonly channels = new EventEmitter().setMaxListeners(0);

  async publish(message: BusMessage): Promise<void> {
    const groups = this.groups.get(message.topic);
    if (!groups) return;
    const failures: unknown[] = [];
    for (const [group, handlers] of groups) {
      if (handlers.length === 0) continue;
      // One handler per group gets each message, like replicas sharing a consumer group.
      const key = `${message.topic}/${group}`;
      const next = (this.cursor.get(key) ?? 0) % handlers.length;
      this.cursor.set(key, next + 1);
      try {
        await handlers[next]!(structuredClone(message));
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `handlers failed for ${message.topic}`);
  }

  async subscribe(topic: string, group: string, handler: Handler) {
    const groups = this.groups.get(topic) ?? new Map<string, Handler[]>();
    this.groups.set(topic, groups);
    const handlers = groups.get(group) ?? [];
    groups.set(group, handlers);
    handlers.push(handler);
    return async () => {
      const index = handlers.indexOf(handler);
      if (index >= 0) handlers.splice(index, 1);
    };
  }

  async broadcast(channel: string, payload: unknown) {
    this.channels.emit(channel, structuredClone(payload));
  }

  async listen(channel: string, handler: (payload: unknown) => void) {
    this.channels.on(channel, handler);
    return async () => {
      this.channels.off(channel, handler);
    };
  }

  listeningChannels() {
    return this.channels.eventNames().map(String);
  }

  /** Handlers subscribed, over every topic and group (tests check nothing leaks). */
  subscriptionCount() {
    const groups = [...this.groups.values()].flatMap((byGroup) => [...byGroup.values()]);
    return groups.reduce((count, handlers) => count + handlers.length, 0);
  }

  async ping() {
    return true;
  }

  async close() {
    this.groups.clear();
    this.channels.removeAllListeners();
  }
}
