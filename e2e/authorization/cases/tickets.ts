import { dig, entitiesOfUser, exists, type Case } from '../case.js';

export const ticketsCases: Record<string, Case> = {
  addTicketTier: {
    async prepare(w) {
      const name = w.unique('Matrix tier');
      return {
        variables: { eventId: w.eventId, input: { name, priceCents: 1000, currency: 'EUR', capacity: 10 } },
        value: (d) => dig(d, 'addTicketTier', 'id'),
        written: () => exists(w.sql`select 1 from tickets.ticket_tiers where name = ${name}`),
      };
    },
  },
  reserveTickets: {
    async prepare(w) {
      const key = w.unique('matrix-hold');
      return {
        variables: { eventId: w.eventId, items: [{ tierId: w.tierId, quantity: 1 }], idempotencyKey: key },
        value: (d) => dig(d, 'reserveTickets', 'id'),
        written: () => exists(w.sql`select 1 from tickets.reservations where idempotency_key = ${key}`),
      };
    },
  },
  releaseReservation: {
    async prepare(w) {
      const id = await w.newReservation();
      return {
        variables: { id },
        value: (d) => dig(d, 'releaseReservation', 'id'),
        written: () =>
          exists(w.sql`select 1 from tickets.reservations where id = ${id} and status = 'RELEASED'`),
      };
    },
  },
  checkout: {
    async prepare(w) {
      const id = await w.newReservation();
      return {
        variables: { reservationId: id, paymentToken: 'tok_ok', idempotencyKey: w.unique('matrix-pay') },
        value: (d) => dig(d, 'checkout', 'id'),
        written: () => exists(w.sql`select 1 from tickets.orders where reservation_id = ${id}`),
      };
    },
  },
  refundOrder: {
    async prepare(w) {
      const { id } = await w.newOrder();
      return {
        variables: { id },
        value: (d) => dig(d, 'refundOrder', 'id'),
        written: () => exists(w.sql`select 1 from tickets.orders where id = ${id} and status = 'REFUNDED'`),
      };
    },
  },
  checkInTicket: {
    async prepare(w) {
      const { code } = await w.newOrder();
      return {
        variables: { code },
        value: (d) => dig(d, 'checkInTicket', 'id'),
        written: () =>
          exists(w.sql`select 1 from tickets.tickets where code = ${code} and status = 'CHECKED_IN'`),
      };
    },
  },
  order: {
    async prepare(w) {
      return { variables: { id: w.order.id }, value: (d) => dig(d, 'order', 'id') };
    },
  },
  'Ticket.code': {
    document: `query($id: ID!) { order(id: $id) { id tickets { code } } }`,
    async prepare(w) {
      return {
        variables: { id: w.order.id },
        value: (d) => {
          const code = dig(d, 'order', 'tickets', 0, 'code');
          if (code !== undefined && code !== w.order.code) throw new Error(`unexpected ticket code ${code}`);
          return code;
        },
      };
    },
  },
  'User.orders': {
    document: `query($id: ID!) { user(id: $id) { orders(first: 5) { totalCount edges { node { id } } } } }`,
    direct: entitiesOfUser('orders(first: 5) { totalCount }'),
    async prepare(w) {
      return { variables: { id: w.people.attendee.id }, value: (d) => dig(d, 'user', 'orders') };
    },
  },
};
