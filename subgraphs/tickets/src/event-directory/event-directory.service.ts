import { Inject, Injectable } from '@nestjs/common';
import { consumeOnce, EventChanged, Topics, type Bus, type Unsubscribe } from '@marquee/bus';
import type { Logger } from '@marquee/subgraph-kit';
import type { TicketsDatabase } from '../db/database.js';
import { schema } from '../db/database.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { DB, LOGGER, OUTBOX_KICK, type OutboxKick } from '../tokens.js';
import { EventDirectoryRepository, type DirectoryEntry } from './event-directory.repository.js';
import { EventsClient } from './events.client.js';

/**
 * Answers "what do we know about this event" from the local projection, and asks the events
 * subgraph when the projection cannot support the decision at hand (missing, or a denial that
 * may only be staleness: DRAFT, another organizer, ended). A cancelled event is final.
 */
@Injectable()
export class EventDirectory {
  constructor(
    private readonly repository: EventDirectoryRepository,
    private readonly client: EventsClient,
    @Inject(DB) private readonly database: TicketsDatabase,
    private readonly inventory: InventoryRepository,
    @Inject(OUTBOX_KICK) private readonly outbox: OutboxKick,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The entry, refreshed from the events subgraph when `suffices` says the local one does not
   * allow the caller's action. Undefined when the event is unknown (or invisible to the caller).
   */
  async lookup(
    eventId: string,
    authorization: string | undefined,
    suffices: (entry: DirectoryEntry) => boolean,
  ): Promise<DirectoryEntry | undefined> {
    const local = await this.repository.find(eventId);
    if (local && (local.status === 'CANCELLED' || suffices(local))) return local;
    let fetched;
    try {
      fetched = await this.client.fetchEvent(eventId, authorization);
    } catch (error) {
      if (local) return local;
      throw error;
    }
    if (!fetched) return local;
    return this.repository.upsertFetched(fetched);
  }

  /** Feeds the projection from `events.event-changed`; each message once, older versions ignored. */
  subscribe(bus: Bus): Promise<Unsubscribe> {
    return bus.subscribe(Topics.eventChanged, 'tickets', async (message) => {
      const parsed = EventChanged.safeParse(message.payload);
      if (!parsed.success) {
        this.log.warn({ id: message.id }, 'ignoring malformed event-changed message');
        return;
      }
      await consumeOnce(this.database.db, schema.inbox, 'tickets.event-changed', message.id, async (tx) => {
        // Status and times decide whether the event is on sale: live views should hear of it.
        if (await this.repository.applySnapshot(tx, parsed.data))
          await this.inventory.announce(tx, [parsed.data.eventId]);
      });
      this.outbox.kick();
    });
  }
}
