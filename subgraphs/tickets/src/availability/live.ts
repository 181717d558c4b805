import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import { AvailabilityChanged, Topics, type Bus, type Unsubscribe } from '@marquee/bus';
import type { Logger } from '@marquee/subgraph-kit';
import { LOGGER } from '../tokens.js';
import { AvailabilityService, type Availability } from './availability.service.js';

interface Closable {
  close(code?: number, reason?: string): void;
}

const channel = (eventId: string) => `availability:${eventId}`;

/**
 * Live availability for this instance. Every replica consumes `tickets.availability-changed`
 * under its own consumer group (so each sees every change, whoever made it); on a change to
 * an event someone here is watching, the availability is read once and pushed to all its
 * subscribers through an in-process PubSub. Bursts coalesce: at most one read in flight and
 * one queued per event, and the last push always reflects the last change.
 */
@Injectable()
export class LiveAvailability {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly pubsub = new PubSub({ eventEmitter: this.emitter });
  /** Events being re-read; true when another change arrived meanwhile. */
  private readonly refreshing = new Map<string, boolean>();
  private readonly sockets = new Set<Closable>();
  /** Per instance: replicas must not share the group, or each would see only some changes. */
  readonly group = `tickets-live-${randomBytes(6).toString('hex')}`;
  private readonly startedAt = Date.now();

  constructor(
    private readonly availability: AvailabilityService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  subscribe(bus: Bus): Promise<Unsubscribe> {
    return bus.subscribe(Topics.availabilityChanged, this.group, async (message) => {
      const parsed = AvailabilityChanged.safeParse(message.payload);
      if (!parsed.success) return;
      // A new group on a stream bus starts at the beginning; history is of no use to live views.
      if (Date.parse(message.occurredAt) < this.startedAt - 60_000) return;
      void this.refresh(parsed.data.eventId);
    });
  }

  /**
   * The current availability now, then a fresh one after each change to the event. Listening
   * starts before the first read, so no change in between is missed.
   */
  stream(eventId: string): AsyncIterableIterator<Availability> {
    const changes = this.pubsub.asyncIterableIterator<Availability>(channel(eventId));
    let queued: Promise<IteratorResult<Availability>> | undefined = changes.next(); // subscribes now
    let first = true;
    let done = false;
    const current = () => this.availability.current(eventId);
    const finish = async (): Promise<IteratorResult<Availability>> => {
      done = true;
      await changes.return?.();
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

  private async refresh(eventId: string): Promise<void> {
    if (this.emitter.listenerCount(channel(eventId)) === 0) return;
    if (this.refreshing.has(eventId)) {
      this.refreshing.set(eventId, true);
      return;
    }
    try {
      do {
        this.refreshing.set(eventId, false);
        await this.pubsub.publish(channel(eventId), await this.availability.current(eventId));
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

  closeAll() {
    for (const socket of this.sockets) {
      try {
        socket.close(1001, 'Going away');
      } catch (error) {
        this.log.debug({ err: String(error) }, 'closing a websocket failed');
      }
    }
    this.sockets.clear();
  }
}
