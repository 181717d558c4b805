import { Injectable } from '@nestjs/common';
import { conflict, forbidden, notFound } from '@marquee/subgraph-kit';
import { isOrganizerOf, requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import { EventDirectory } from '../event-directory/event-directory.service.js';
import type { TicketRow } from '../orders/orders.repository.js';
import { CheckInRepository } from './check-in.repository.js';

@Injectable()
export class CheckInService {
  constructor(
    private readonly repository: CheckInRepository,
    private readonly directory: EventDirectory,
  ) {}

  /** Only the event's organizer (not even an ADMIN: check-in happens at the door). */
  async checkIn(ctx: TicketsContext, code: string): Promise<TicketRow> {
    requireUser(ctx.caller);
    const ticket = code.length <= 100 ? await this.repository.findByCode(code) : undefined;
    if (!ticket) throw notFound('Ticket');
    const event = await this.directory.lookup(ticket.eventId, ctx.authorization, (e) =>
      isOrganizerOf(ctx.caller, e),
    );
    if (!isOrganizerOf(ctx.caller, event)) throw forbidden('Only the event organizer can check tickets in');
    const checkedIn = await this.repository.checkIn(ticket.id);
    if (checkedIn) return checkedIn;
    const current = (await this.repository.findByCode(code)) ?? ticket;
    if (current.status === 'VOID') throw conflict('This ticket is void', { reason: 'TICKET_VOID' });
    throw conflict('This ticket was already checked in', { reason: 'ALREADY_CHECKED_IN' });
  }
}
