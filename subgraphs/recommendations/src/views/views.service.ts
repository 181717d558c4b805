import { Inject, Injectable } from '@nestjs/common';
import { badInput, isId } from '@marquee/subgraph-kit';
import type { RecommendationsContext } from '../context.js';
import { RELAY, type RelayKick } from '../tokens.js';
import { ViewsRepository } from './views.repository.js';

@Injectable()
export class ViewsService {
  constructor(
    private readonly repository: ViewsRepository,
    @Inject(RELAY) private readonly relay: RelayKick,
  ) {}

  /**
   * Anyone may record a view (anonymous ones count for trending only). An id we have not
   * seen yet is still recorded: the catalog may lag behind the events service, and only
   * catalog events are ever recommended anyway.
   */
  async recordView({ caller, now }: RecommendationsContext, eventId: string): Promise<boolean> {
    if (!isId(eventId)) throw badInput('eventId is not a valid event id', 'eventId');
    const userId = caller.user && isId(caller.user.id) ? caller.user.id : null;
    await this.repository.recordView({ userId, eventId, at: now });
    this.relay.kick();
    return true;
  }
}
