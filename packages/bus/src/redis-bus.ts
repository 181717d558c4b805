import { hostname } from 'node:os';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { consoleLogger, type Bus, type BusLogger, type BusMessage, type Handler } from './bus.js';

export interface RedisBusOptions {
  url: string;
  /** Namespaces keys, so test runs and environments sharing one Redis stay apart. */
  prefix?: string;
  logger?: BusLogger;
  /** A message whose handler failed is retried after it has been pending this long. */
  retryAfterMs?: number;
  blockMs?: number;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * Redis Streams with one consumer group per service: messages survive a consumer being
 * down (they wait in the stream), a failed handler leaves its message pending until it is
 * claimed again, and the replicas of a service share the work.
 */
export class RedisBus implements Bus {
  private readonly client: Redis;
  private readonly readers = new Set<Redis>();
  private readonly prefix: string;
  private readonly logger: BusLogger;
  private readonly consumerName = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private closed = false;
  private pubsub: RedisPubSub | undefined;
  private readonly listening = new Map<string, number>();

  constructor(private readonly options: RedisBusOptions) {
    this.prefix = options.prefix ?? 'marquee';
    this.logger = options.logger ?? consoleLogger;
    this.client = new Redis(options.url, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.client.on('error', () => {}); // reconnects on its own; failures surface on commands
  }

  private streamKey(topic: string) {
    return `${this.prefix}:stream:${topic}`;
  }

  async publish(message: BusMessage): Promise<void> {
    await this.client.xadd(
      this.streamKey(message.topic),
      'MAXLEN',
      '~',
      '100000',
      '*',
      'message',
      JSON.stringify(message),
    );
  }

  async subscribe(topic: string, group: string, handler: Handler) {
    const key = this.streamKey(topic);
    await this.createGroup(this.client, key, group);
    const reader = this.client.duplicate();
    reader.on('error', () => {});
    this.readers.add(reader);
    let active = true;
    const loop = this.consume(reader, key, group, handler, () => active);
    return async () => {
      active = false;
      this.readers.delete(reader);
      reader.disconnect();
      await loop.catch(() => undefined);
    };
  }

  private async createGroup(client: Redis, key: string, group: string) {
    try {
      // From the stream's start: a service deployed later still sees what it missed.
      await client.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  private async consume(reader: Redis, key: string, group: string, handler: Handler, active: () => boolean) {
    const retryAfter = this.options.retryAfterMs ?? 30_000;
    let lastClaim = 0;
    while (active() && !this.closed) {
      try {
        if (Date.now() - lastClaim > retryAfter / 2) {
          lastClaim = Date.now();
          const claimed = (await reader.xautoclaim(
            key,
            group,
            this.consumerName,
            retryAfter,
            '0',
            'COUNT',
            50,
          )) as [string, StreamEntry[]];
          await this.handleAll(reader, key, group, claimed[1] ?? [], handler);
        }
        const response = (await reader.xreadgroup(
          'GROUP',
          group,
          this.consumerName,
          'COUNT',
          50,
          'BLOCK',
          this.options.blockMs ?? 2_000,
          'STREAMS',
          key,
          '>',
        )) as [string, StreamEntry[]][] | null;
        for (const [, entries] of response ?? []) await this.handleAll(reader, key, group, entries, handler);
      } catch (error) {
        if (!active() || this.closed) return;
        // Redis came back without its data (no persistence, or a failover to an empty
        // replica): the stream and our group are gone, and reads fail with NOGROUP until the
        // group exists again. Recreated, it reads the new stream from its start.
        if (String(error).includes('NOGROUP')) {
          try {
            await this.createGroup(reader, key, group);
            this.logger.warn?.({ stream: key, group }, 'bus consumer group was missing; recreated it');
            continue;
          } catch {
            // Redis is still unreachable: retried below.
          }
        }
        this.logger.error({ err: String(error), stream: key }, 'bus read failed; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  private async handleAll(
    reader: Redis,
    key: string,
    group: string,
    entries: StreamEntry[],
    handler: Handler,
  ) {
    for (const [entryId, fields] of entries) {
      const raw = fields[fields.indexOf('message') + 1];
      try {
        if (raw) await handler(JSON.parse(raw) as BusMessage);
        await reader.xack(key, group, entryId);
      } catch (error) {
        // Left pending: claimed again after retryAfterMs.
        this.logger.error({ err: String(error), stream: key, entryId }, 'bus handler failed; will retry');
      }
    }
  }

  /** Broadcasts ride Redis pub/sub (graphql-redis-subscriptions), channel per topic, refcounted. */
  private channels(): RedisPubSub {
    if (!this.pubsub) {
      const publisher = this.client.duplicate();
      const subscriber = this.client.duplicate();
      publisher.on('error', () => {});
      subscriber.on('error', () => {});
      this.pubsub = new RedisPubSub({ publisher, subscriber });
    }
    return this.pubsub;
  }

  private channelKey(channel: string) {
    return `${this.prefix}:live:${channel}`;
  }

  async broadcast(channel: string, payload: unknown) {
    await this.channels().publish(this.channelKey(channel), payload);
  }

  async listen(channel: string, handler: (payload: unknown) => void) {
    const key = this.channelKey(channel);
    const id = await this.channels().subscribe(key, handler);
    this.listening.set(channel, (this.listening.get(channel) ?? 0) + 1);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const left = (this.listening.get(channel) ?? 1) - 1;
      if (left > 0) this.listening.set(channel, left);
      else this.listening.delete(channel);
      this.pubsub?.unsubscribe(id);
    };
  }

  listeningChannels() {
    return [...this.listening.keys()];
  }

  async ping() {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    this.closed = true;
    for (const reader of this.readers) reader.disconnect();
    this.readers.clear();
    if (this.pubsub) {
      this.pubsub.getPublisher().disconnect();
      this.pubsub.getSubscriber().disconnect();
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Deletes every key of a namespace (test runs clean up after themselves with it). */
export async function clearRedisNamespace(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
