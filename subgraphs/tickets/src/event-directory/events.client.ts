import { Inject, Injectable } from '@nestjs/common';
import { INTERNAL_HEADER } from '@marquee/auth';
import { CONFIG } from '../tokens.js';
import type { TicketsEnv } from '../env.js';
import type { EventFacts } from './event-directory.repository.js';

const QUERY = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Event { id status title startsAt endsAt organizer { id } } } }`;

interface EntitiesResponse {
  data?: {
    _entities?: ({
      id: string;
      status: EventFacts['status'];
      title: string;
      startsAt: string;
      endsAt: string;
      organizer: { id: string };
    } | null)[];
  };
  errors?: unknown[];
}

export class EventsUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The events subgraph could not be reached', { cause });
    this.name = 'EventsUnavailableError';
  }
}

/**
 * Asks the events subgraph about one event, as the gateway would: with the internal
 * credential, and with the caller's own Authorization so DRAFT visibility is the caller's.
 * Null when the event does not exist or the caller may not see it.
 */
@Injectable()
export class EventsClient {
  constructor(@Inject(CONFIG) private readonly env: TicketsEnv) {}

  async fetchEvent(eventId: string, authorization?: string): Promise<EventFacts | null> {
    let body: EntitiesResponse;
    try {
      const response = await fetch(this.env.EVENTS_URL, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [INTERNAL_HEADER]: this.env.INTERNAL_SECRET,
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query: QUERY, variables: { r: [{ __typename: 'Event', id: eventId }] } }),
        signal: AbortSignal.timeout(3_000),
      });
      if (!response.ok) throw new Error(`events subgraph answered ${response.status}`);
      body = (await response.json()) as EntitiesResponse;
    } catch (error) {
      throw new EventsUnavailableError(error);
    }
    const event = body.data?._entities?.[0];
    if (!event) return null;
    return {
      eventId: event.id,
      organizerId: event.organizer.id,
      status: event.status,
      title: event.title,
      startsAt: new Date(event.startsAt),
      endsAt: new Date(event.endsAt),
    };
  }
}
