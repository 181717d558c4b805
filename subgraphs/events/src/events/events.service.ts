import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@marquee/auth';
import { Topics } from '@marquee/bus';
import { badInput, conflict, forbidden, isId, notFound } from '@marquee/subgraph-kit';
import { canManage, requireOrganizer } from '../access.js';
import type { CreateEventInput, UpdateEventInput } from '../generated/resolvers.js';
import { RELAY, type RelayKick } from '../tokens.js';
import { cancellationReason, checkTimeOrder, validateEventPatch, validateNewEvent } from './event-input.js';
import { eventCancelled, eventChanged, eventRescheduled } from './event-messages.js';
import { EventsRepository, type EventChange, type EventRow, type Tx } from './events.repository.js';

/**
 * The event lifecycle: DRAFT -> PUBLISHED -> CANCELLED (or DRAFT -> CANCELLED). Every change
 * runs under the event's row lock, bumps its version and writes its outbox messages in the
 * same transaction; the relay is kicked once it committed.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly repository: EventsRepository,
    @Inject(RELAY) private readonly relay: RelayKick,
  ) {}

  async create(caller: Caller, input: CreateEventInput): Promise<EventRow> {
    const organizer = requireOrganizer(caller);
    const fields = validateNewEvent(input);
    if (!isId(fields.venueId)) throw notFound('Venue');
    const event = await this.repository.transaction(async (tx) => {
      const venue = await this.repository.venue(tx, fields.venueId);
      if (!venue) throw notFound('Venue');
      const created = await this.repository.insert(tx, { ...fields, organizerId: organizer.id });
      await this.repository.announce(tx, Topics.eventChanged, eventChanged(created, venue));
      return created;
    });
    this.relay.kick();
    return event;
  }

  async update(caller: Caller, id: string, input: UpdateEventInput): Promise<EventRow> {
    requireOrganizer(caller);
    return this.change(caller, id, async (tx, event) => {
      if (event.status === 'CANCELLED') throw conflict('A cancelled event cannot be changed');
      const patch = validateEventPatch(input);
      checkTimeOrder(patch.startsAt ?? event.startsAt, patch.endsAt ?? event.endsAt);
      if (Object.keys(patch).length === 0) return event;
      const updated = await this.save(tx, event, patch);
      const rescheduled = eventRescheduled(event, updated);
      if (rescheduled) await this.repository.announce(tx, Topics.eventRescheduled, rescheduled);
      return updated;
    });
  }

  async publish(caller: Caller, id: string): Promise<EventRow> {
    requireOrganizer(caller);
    return this.change(caller, id, async (tx, event) => {
      if (event.status === 'PUBLISHED') return event;
      if (event.status === 'CANCELLED') throw conflict('A cancelled event cannot be published');
      if (event.endsAt.getTime() <= Date.now()) {
        throw badInput('An event that has already ended cannot be published', 'endsAt');
      }
      return this.save(tx, event, { status: 'PUBLISHED' });
    });
  }

  async cancel(caller: Caller, id: string, reason: string): Promise<EventRow> {
    requireOrganizer(caller);
    return this.change(caller, id, async (tx, event) => {
      if (event.status === 'CANCELLED') throw conflict('The event is already cancelled');
      const cancelled = await this.save(tx, event, {
        status: 'CANCELLED',
        cancellationReason: cancellationReason(reason),
      });
      await this.repository.announce(tx, Topics.eventCancelled, eventCancelled(cancelled));
      return cancelled;
    });
  }

  /** Locks the event, checks it may be changed by the caller, runs `work`, kicks the relay. */
  private async change(
    caller: Caller,
    id: string,
    work: (tx: Tx, event: EventRow) => Promise<EventRow>,
  ): Promise<EventRow> {
    if (!isId(id)) throw notFound('Event');
    const result = await this.repository.transaction(async (tx) => {
      const event = await this.repository.lock(tx, id);
      if (!event) throw notFound('Event');
      if (!canManage(caller, event)) throw forbidden("Only the event's organizer or an ADMIN can change it");
      return work(tx, event);
    });
    this.relay.kick();
    return result;
  }

  /** Writes the change (version + 1) and its full snapshot to the outbox. */
  private async save(tx: Tx, event: EventRow, change: EventChange): Promise<EventRow> {
    const updated = await this.repository.update(tx, event.id, change);
    const venue = await this.repository.venue(tx, updated.venueId);
    await this.repository.announce(tx, Topics.eventChanged, eventChanged(updated, venue!));
    return updated;
  }
}
