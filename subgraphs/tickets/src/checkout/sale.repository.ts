import { Inject, Injectable } from '@nestjs/common';
import { getTableColumns, type Table } from 'drizzle-orm';
import { Topics } from '@marquee/bus';
import { schema, type TicketsDatabase } from '../db/database.js';
import type { OrderRow, TicketRow } from '../orders/orders.repository.js';
import { DB } from '../tokens.js';

/** A row as `row_to_json` spells it (snake_case, timestamps as text), typed as drizzle reads it. */
function fromJson<T extends Table>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    row[key] = value != null && column.columnType === 'PgTimestamp' ? new Date(value as string) : value;
  }
  return row as T['$inferSelect'];
}

/**
 * The sale: hold -> tickets, in ONE statement (one round trip, no BEGIN/COMMIT), the hot path
 * of every checkout. It locks the order and its reservation (FOR UPDATE) and reads the event's
 * entry under a share lock, exactly as the transactional path does, and writes only when the
 * order is PENDING, the reservation HELD and unexpired, and the event not cancelled: then
 * tiers (locked in id order) move held -> sold, the ledger gets SOLD rows, order and
 * reservation become CONFIRMED (CHARGED, with the reference), tickets are issued and the
 * order-confirmed and availability-changed messages go to the outbox. Data-modifying CTEs of
 * one statement commit or fail together.
 *
 * Ticket codes: 20 bytes from two gen_random_uuid() values (PostgreSQL's strong random
 * source), 154 random bits, base64url without padding: 27 characters.
 */
const SALE = (sql: TicketsDatabase['sql'], orderId: string, reference: string) => sql`
  with facts as (
    select o.id, o.user_id, o.event_id, o.reservation_id, o.total_cents, o.currency,
      o.status = 'PENDING' and r.status = 'HELD' and r.expires_at > now()
        and (select d.status from tickets.event_directory d where d.event_id = r.event_id for share)
          <> 'CANCELLED' as ok
    from tickets.orders o join tickets.reservations r on r.id = o.reservation_id
    where o.id = ${orderId}
    for update of o, r
  ), sale as (
    select f.id as order_id, f.event_id, f.reservation_id, i.tier_id, i.quantity
    from facts f join tickets.reservation_items i on i.reservation_id = f.reservation_id
    where f.ok
  ), locked as (
    select t.id from tickets.ticket_tiers t
    where t.id in (select tier_id from sale) order by t.id for update
  ), sold as (
    update tickets.ticket_tiers t
    set sold = t.sold + s.quantity, held = t.held - s.quantity, updated_at = now()
    from sale s join locked l on l.id = s.tier_id
    where t.id = s.tier_id
  ), ledger as (
    insert into tickets.inventory_ledger
      (tier_id, event_id, kind, sold_delta, held_delta, reservation_id, order_id)
    select tier_id, event_id, 'SOLD', quantity, -quantity, reservation_id, order_id from sale
  ), reservation as (
    update tickets.reservations set status = 'CONFIRMED', updated_at = now()
    where id in (select reservation_id from facts where ok)
  ), confirmed as (
    update tickets.orders
    set status = 'CONFIRMED', payment_state = 'CHARGED', payment_reference = ${reference},
      confirmed_at = now(), updated_at = now()
    where id in (select id from facts where ok)
    returning *
  ), issued as (
    insert into tickets.tickets (order_id, tier_id, event_id, code)
    select s.order_id, s.tier_id, s.event_id,
      translate(encode(substr(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 1, 20),
        'base64'), '+/=', '-_')
    from sale s cross join generate_series(1, s.quantity)
    returning *
  ), stamp as (
    select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
  ), announced as (
    insert into tickets.outbox (topic, payload)
    select ${Topics.orderConfirmed}, jsonb_build_object('orderId', c.id, 'userId', c.user_id,
      'eventId', c.event_id, 'ticketCount', (select count(*)::int from issued),
      'totalCents', c.total_cents, 'currency', c.currency, 'confirmedAt', stamp.at)
    from confirmed c, stamp
    union all
    select ${Topics.availabilityChanged}, jsonb_build_object('eventId', c.event_id, 'changedAt', stamp.at)
    from confirmed c, stamp
  )
  select (select row_to_json(c) from confirmed c) as "order",
    (select coalesce(json_agg(row_to_json(i) order by i.id), '[]'::json) from issued i) as tickets`;

@Injectable()
export class SaleRepository {
  constructor(@Inject(DB) private readonly database: TicketsDatabase) {}

  /** The confirmed order and its tickets; undefined when the order cannot be sold (nothing written). */
  async sell(
    orderId: string,
    reference: string,
  ): Promise<{ order: OrderRow; tickets: TicketRow[] } | undefined> {
    const [row] = await SALE(this.database.sql, orderId, reference);
    const result = row as
      { order: Record<string, unknown> | null; tickets: Record<string, unknown>[] } | undefined;
    if (!result?.order) return undefined;
    return {
      order: fromJson(schema.orders, result.order),
      tickets: result.tickets.map((ticket) => fromJson(schema.issuedTickets, ticket)),
    };
  }
}
