import { Inject, Injectable } from '@nestjs/common';
import { badInput, isId, notFound } from '@marquee/subgraph-kit';
import type { RecommendationsContext } from '../context.js';
import { RELAY, VIEW_CLIENTS, type RelayKick } from '../tokens.js';
import { utcDay, type ViewClientKeyer } from './view-client.js';
import { ViewsRepository } from './views.repository.js';

@Injectable()
export class ViewsService {
  constructor(
    private readonly repository: ViewsRepository,
    @Inject(RELAY) private readonly relay: RelayKick,
    @Inject(VIEW_CLIENTS) private readonly clientKey: ViewClientKeyer,
  ) {}

  /**
   * Anyone may record a view (anonymous ones count for trending only), once per request: the
   * first recordEventView field of a request is the one, whatever becomes of it, so aliases
   * cannot multiply a request (the gateway refuses such documents too; this is the second
   * wall). Only events people can actually look at: an id the catalog does not know, or a
   * DRAFT (hidden from the public: it must look like nothing), is NOT_FOUND; a cancelled or
   * ended event is BAD_USER_INPUT. Nothing is stored for any of them. The catalog lags the
   * events service by a moment, so a view in the instant after publishing may be refused.
   */
  async recordView(ctx: RecommendationsContext, eventId: string): Promise<boolean> {
    ctx.viewFields += 1;
    if (ctx.viewFields > 1) throw badInput('one recordEventView per request');
    if (!isId(eventId)) throw badInput('eventId is not a valid event id', 'eventId');
    const { caller, clientIp, now } = ctx;
    const event = await this.repository.catalogEvent(eventId);
    if (!event || event.status === 'DRAFT') throw notFound('Event');
    if (event.status === 'CANCELLED') throw badInput('the event is cancelled', 'eventId');
    if (event.endsAt <= now) throw badInput('the event has ended', 'eventId');
    const userId = caller.user && isId(caller.user.id) ? caller.user.id : null;
    const day = utcDay(now);
    const clientKey = userId ? null : this.clientKey(clientIp, day);
    if (await this.repository.recordView({ userId, clientKey, eventId, at: now, day })) this.relay.kick();
    return true;
  }
}
