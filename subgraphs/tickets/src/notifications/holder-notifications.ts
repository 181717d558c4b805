import { Inject, Injectable } from '@nestjs/common';
import { consumeOnce, EventRescheduled, Topics, type Bus, type Unsubscribe } from '@marquee/bus';
import type { Logger } from '@marquee/subgraph-kit';
import { schema, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { EventDirectoryRepository } from '../event-directory/event-directory.repository.js';
import { DB, LOGGER } from '../tokens.js';
import { DispatchWorker } from './dispatch.worker.js';
import { NotificationsRepository } from './notifications.repository.js';

const when = (date: Date | string) => new Date(date).toUTCString();

/**
 * Turns the events service's cancellations and reschedules into one notification per ticket
 * holder, queued in the transaction that consumes the bus message (so exactly once per
 * message), and wakes the dispatcher once that transaction committed.
 */
@Injectable()
export class HolderNotifications {
  constructor(
    private readonly repository: NotificationsRepository,
    private readonly directory: EventDirectoryRepository,
    private readonly dispatcher: DispatchWorker,
    @Inject(DB) private readonly database: TicketsDatabase,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** In the cancellation's transaction, before any order is refunded: every holder, once. */
  async eventCancelled(tx: TicketsTx, sourceId: string, eventId: string, reason: string): Promise<number> {
    const entry = await this.directory.lockShared(tx, eventId);
    const title = entry?.title ?? 'An event you hold tickets for';
    const date = entry ? ` on ${when(entry.startsAt)}` : '';
    return this.repository.enqueueForHolders(tx, {
      sourceId,
      kind: 'EVENT_CANCELLED',
      eventId,
      subject: `Cancelled: ${title}`,
      body:
        `${title}${date} has been cancelled${reason ? `: ${reason}` : ''}.\n` +
        'Your order is being refunded in full to the original payment method; there is nothing you need to do.',
    });
  }

  /** `events.event-rescheduled`: every holder hears the new time, once per message. */
  subscribe(bus: Bus): Promise<Unsubscribe> {
    return bus.subscribe(Topics.eventRescheduled, 'tickets', async (message) => {
      const parsed = EventRescheduled.safeParse(message.payload);
      if (!parsed.success) {
        this.log.warn({ id: message.id }, 'ignoring malformed event-rescheduled message');
        return;
      }
      const moved = parsed.data;
      await consumeOnce(this.database.db, schema.inbox, 'tickets.event-rescheduled', message.id, (tx) =>
        this.repository.enqueueForHolders(tx, {
          sourceId: message.id,
          kind: 'EVENT_RESCHEDULED',
          eventId: moved.eventId,
          subject: `New date: ${moved.title}`,
          body:
            `${moved.title} has moved from ${when(moved.previousStartsAt)} ` +
            `to ${when(moved.startsAt)} (ends ${when(moved.endsAt)}).\n` +
            'Your tickets stay valid for the new date. If it does not suit you, the organizer can refund your order.',
        }),
      );
      this.dispatcher.kick();
    });
  }

  /** After a transaction that queued notifications committed. */
  kick() {
    this.dispatcher.kick();
  }
}
