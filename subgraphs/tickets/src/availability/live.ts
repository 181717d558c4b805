import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import type { Bus, Unsubscribe } from '@marquee/bus';
import { CLOSE_SERVICE_RESTART, notFound, type Logger } from '@marquee/subgraph-kit';
import { canManage } from '../access.js';
import type { TicketsContext } from '../context.js';
import { EventDirectory } from '../event-directory/event-directory.service.js';
import { LOGGER } from '../tokens.js';
import { AvailabilityService, type Availability } from './availability.service.js';

interface Closable {
  close(code?: number, reason?: string): void;
}

/** The broadcast channel that says "availability of this event changed" to every replica. */
export const availabilityChannel = (eventId: string) => `tickets.availability.${eventId}`;
const local = (eventId: string) => `availability:${eventId}`;

/**
 * Live availability for this instance. The outbox relay broadcasts each committed change on
 * the event's channel (Redis pub/sub across replicas); an instance listens to an event's
 * channel only while someone here watches that event. On a change the availability is read
 * once and pushed to all its watchers. Bursts coalesce: at most one read in flight and one
 * queued per event, and the last push always reflects the last change.
 */
@Injectable()
export class LiveAvailability {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly pubsub = new PubSub({ eventEmitter: this.emitter });
  private readonly refreshing = new Map<string, boolean>();
  private readonly sockets = new Set<Closable>();
  private readonly watchers = new Map<string, { count: number; stop: Promise<Unsubscribe> }>();
  private bus: Bus | undefined;

  constructor(
    private readonly availability: AvailabilityService,
    private readonly directory: EventDirectory,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Called once at start: where change signals come from. */
  attach(bus: Bus) {
    this.bus = bus;
  }

  /** Watchers per event, for /metrics and tests. */
  get watcherCount(): number {
    let total = 0;
    for (const { count } of this.watchers.values()) total += count;
    return total;
  }

  /**
   * A subscription for one event: unknown events, and DRAFT ones for anyone but their
   * organizer or an ADMIN, are NOT_FOUND (as in event(id)).
   */
  async watch(ctx: TicketsContext, eventId: string): Promise<AsyncIterableIterator<Availability>> {
    const entry = await this.directory.lookup(
      eventId,
      ctx.authorization,
      (e) => e.status !== 'DRAFT' || canManage(ctx.caller, e),
    );
    if (!entry || (entry.status === 'DRAFT' && !canManage(ctx.caller, entry))) throw notFound('Event');
    return this.stream(eventId);
  }

  /**
   * The current availability now, then a fresh one after each change to the event. Listening
   * starts before the first read, so no change in between is missed.
   */
  private stream(eventId: string): AsyncIterableIterator<Availability> {
    const changes = this.pubsub.asyncIterableIterator<Availability>(local(eventId));
    let queued: Promise<IteratorResult<Availability>> | undefined = changes.next(); // subscribes now
    const release = this.retain(eventId);
    let first = true;
    let done = false;
    const current = () => this.availability.current(eventId);
    const finish = async (): Promise<IteratorResult<Availability>> => {
      if (!done) {
        done = true;
        release();
        await changes.return?.();
      }
      return { value: undefined, done: true };
    };
    return {
      async next(): Promise<IteratorResult<Availability>> {
        if (done) return { value: undefined, done: true };
        if (first) {
          first = false;
          return { value: await current(), done: false };
        }
        const change = await (queued ?? changes.next());
        queued = undefined;
        return change.done || done ? finish() : { value: change.value, done: false };
      },
      return: finish,
      async throw(error: unknown) {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Listens to the event's broadcast channel while at least one watcher is here. */
  private retain(eventId: string): () => void {
    const existing = this.watchers.get(eventId);
    if (existing) {
      existing.count += 1;
    } else {
      const stop = this.bus
        ? this.bus.listen(availabilityChannel(eventId), () => void this.refresh(eventId))
        : Promise.resolve(async () => {});
      this.watchers.set(eventId, { count: 1, stop });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const entry = this.watchers.get(eventId);
      if (!entry) return;
      entry.count -= 1;
      if (entry.count > 0) return;
      this.watchers.delete(eventId);
      void entry.stop.then((unlisten) => unlisten()).catch(() => undefined);
    };
  }

  private async refresh(eventId: string): Promise<void> {
    if (this.emitter.listenerCount(local(eventId)) === 0) return;
    if (this.refreshing.has(eventId)) {
      this.refreshing.set(eventId, true);
      return;
    }
    try {
      do {
        this.refreshing.set(eventId, false);
        await this.pubsub.publish(local(eventId), await this.availability.current(eventId));
      } while (this.refreshing.get(eventId));
    } catch (error) {
      this.log.error({ eventId, err: String(error) }, 'reading availability for live views failed');
    } finally {
      this.refreshing.delete(eventId);
    }
  }

  /** Websocket connections, so shutdown can close them (they would keep the server open). */
  track(socket: Closable): () => void {
    this.sockets.add(socket);
    return () => this.sockets.delete(socket);
  }

  /** On shutdown: 1012 "Service Restart", so the gateways' graphql-ws clients reconnect elsewhere. */
  closeAll() {
    for (const socket of this.sockets) {
      try {
        socket.close(CLOSE_SERVICE_RESTART, 'Service restart');
      } catch (error) {
        this.log.debug({ err: String(error) }, 'closing a websocket failed');
      }
    }
    this.sockets.clear();
  }
}
