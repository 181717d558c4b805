import { Injectable } from '@nestjs/common';
import { isId, pageRequest, toConnection, type Connection } from '@marquee/subgraph-kit';
import { canSeeDrafts, isVisible } from '../access.js';
import type { EventsContext } from '../context.js';
import { cursorOf, isEventCursor } from './cursor.js';
import type { EventFilter } from '../generated/resolvers.js';
import { normaliseFilter } from './event-filter.js';
import { DiscoveryRepository } from './discovery.repository.js';
import type { EventRow } from './events.repository.js';

@Injectable()
export class DiscoveryService {
  constructor(private readonly repository: DiscoveryRepository) {}

  /** event(id) and Event references: DRAFT ones only for their organizer or an ADMIN. */
  async byId({ caller, loaders }: EventsContext, id: string): Promise<EventRow | null> {
    if (!isId(id)) return null;
    const event = await loaders.event.load(id);
    return event && isVisible(caller, event) ? event : null;
  }

  /** The public catalogue: PUBLISHED, not yet ended, soonest first; totalCount only when asked. */
  async catalogue(
    filter: EventFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<EventRow>> {
    const page = pageRequest(first, after, isEventCursor);
    const search = normaliseFilter(filter);
    const rows = await this.repository.page(search, page.limit, page.after);
    return toConnection(rows, page.limit, cursorOf, () => this.repository.count(search));
  }

  /** The organizer themself and ADMINs see drafts too; everyone else PUBLISHED and CANCELLED. */
  async organizedEvents(
    { caller, loaders }: EventsContext,
    userId: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<EventRow>> {
    const page = pageRequest(first, after, isEventCursor);
    if (!isId(userId)) return toConnection<EventRow>([], page.limit, cursorOf, 0);
    const includeDrafts = canSeeDrafts(caller, userId);
    const rows = await loaders.organizedEvents.load({
      organizerId: userId,
      limit: page.limit,
      after: page.after,
      includeDrafts,
    });
    return toConnection(rows, page.limit, cursorOf, async () => {
      const count = await loaders.organizedCount.load(userId);
      return includeDrafts ? count.all : count.visible;
    });
  }
}
