import { Inject, Injectable } from '@nestjs/common';
import {
  EventChanged,
  OrderConfirmed,
  OrderRefunded,
  Topics,
  type Bus,
  type BusMessage,
  type Unsubscribe,
} from '@marquee/bus';
import { isId, RUNTIME, type ServiceRuntime } from '@marquee/subgraph-kit';
import type { z } from 'zod';
import { normalizeCategories } from '../scoring/signals.js';
import { ProjectionsRepository } from './projections.repository.js';

/** Our consumer group on the bus: the replicas of this service share its messages. */
export const BUS_GROUP = 'recommendations';

/**
 * Keeps the local projections current from other services' domain events. A payload we do
 * not understand is logged and skipped (retrying would never help); a database failure
 * throws, so the bus delivers the message again.
 */
@Injectable()
export class ProjectionsConsumer {
  constructor(
    private readonly repository: ProjectionsRepository,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  subscribe(bus: Bus): Promise<Unsubscribe[]> {
    return Promise.all([
      bus.subscribe(Topics.eventChanged, BUS_GROUP, (m) => this.eventChanged(m)),
      bus.subscribe(Topics.orderConfirmed, BUS_GROUP, (m) => this.orderConfirmed(m)),
      bus.subscribe(Topics.orderRefunded, BUS_GROUP, (m) => this.orderRefunded(m)),
    ]);
  }

  async eventChanged(message: BusMessage): Promise<void> {
    const event = this.parse(message, EventChanged, (e) => [e.eventId, e.organizerId, e.venue.id]);
    if (!event) return;
    await this.repository.applyEventChanged(`${BUS_GROUP}:event-changed`, message.id, {
      id: event.eventId,
      version: event.version,
      status: event.status,
      title: event.title,
      categories: normalizeCategories(event.categories),
      organizerId: event.organizerId,
      venueId: event.venue.id,
      venueName: event.venue.name.trim(),
      city: event.venue.city.trim(),
      country: event.venue.country,
      latitude: event.venue.latitude,
      longitude: event.venue.longitude,
      startsAt: new Date(event.startsAt),
      endsAt: new Date(event.endsAt),
    });
  }

  async orderConfirmed(message: BusMessage): Promise<void> {
    const order = this.parse(message, OrderConfirmed, (o) => [o.orderId, o.userId, o.eventId]);
    if (!order) return;
    await this.repository.applyOrderConfirmed(`${BUS_GROUP}:order-confirmed`, message.id, {
      orderId: order.orderId,
      userId: order.userId,
      eventId: order.eventId,
      confirmedAt: new Date(order.confirmedAt),
    });
  }

  async orderRefunded(message: BusMessage): Promise<void> {
    const order = this.parse(message, OrderRefunded, (o) => [o.orderId, o.userId, o.eventId]);
    if (!order) return;
    await this.repository.applyOrderRefunded(`${BUS_GROUP}:order-refunded`, message.id, {
      orderId: order.orderId,
      userId: order.userId,
      eventId: order.eventId,
      refundedAt: new Date(order.refundedAt),
    });
  }

  private parse<T>(
    message: BusMessage,
    contract: z.ZodType<T>,
    ids: (payload: T) => string[],
  ): T | undefined {
    const parsed = contract.safeParse(message.payload);
    if (parsed.success && ids(parsed.data).every(isId)) return parsed.data;
    this.runtime.log.warn(
      { messageId: message.id, topic: message.topic },
      'skipping a message we cannot read',
    );
    return undefined;
  }
}
