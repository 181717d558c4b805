import { randomUUID } from 'node:crypto';
import { Topics, type EventRescheduled } from '@marquee/bus';
import { eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, Notifier } from '../src/notifications/notifier.js';
import { eventWithTier, purchase, REFUND, reserved, buyer } from './fixtures.js';
import { startTickets, type World } from './harness.js';
import { startSmtpServer } from './smtp-server.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

async function reschedule(t: World, eventId: string, messageId = `events:${randomUUID()}`) {
  const startsAt = new Date(Date.now() + 14 * 86_400_000);
  const payload: EventRescheduled = {
    eventId,
    title: 'A concert',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3 * 3_600_000).toISOString(),
    previousStartsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    previousEndsAt: new Date(Date.now() + 7 * 86_400_000 + 3 * 3_600_000).toISOString(),
  };
  await t.bus.publish({
    id: messageId,
    topic: Topics.eventRescheduled,
    payload,
    occurredAt: new Date().toISOString(),
  });
  return startsAt;
}

const queued = (eventId: string) =>
  t.sql`select user_id, kind, attempts, sent_at, last_error from tickets.notification_outbox
    where event_id = ${eventId} order by user_id`;
const delivered = (eventId: string) =>
  t.sql`select user_id, kind, subject, body from tickets.notifications where event_id = ${eventId} order by user_id`;

describe('ticket-holder notifications', () => {
  it('tells every holder of a cancelled event once, from the notification outbox', async () => {
    const { eventId, tierId, organizerId } = await eventWithTier(t, { capacity: 20 });
    const twice = await purchase(t, eventId, tierId, 1);
    const again = await reserved(t, twice.token, eventId, tierId, 2);
    expect(
      (
        await t.call(
          `mutation($r: ID!) { checkout(reservationId: $r, paymentToken: "tok_ok",
      idempotencyKey: "second") { id } }`,
          { r: again.id },
          twice.token,
        )
      ).errors,
    ).toBeUndefined();
    const once = await purchase(t, eventId, tierId, 3);
    const former = await purchase(t, eventId, tierId, 1);
    expect((await t.call(REFUND, { id: former.order.id }, former.token)).errors).toBeUndefined();
    await reserved(t, (await buyer(t)).token, eventId, tierId, 1); // holds a reservation, no ticket

    const messageId = `events:${randomUUID()}`;
    await t.cancelEvent(eventId, organizerId, messageId);
    await t.cancelEvent(eventId, organizerId, messageId); // redelivered: queued once
    const holders = [twice.id, once.id].sort();
    expect((await queued(eventId)).map((r) => [r.user_id, r.kind, r.sent_at])).toEqual(
      holders.map((id) => [id, 'EVENT_CANCELLED', null]),
    );

    expect(await t.service.dispatchNotifications()).toEqual({ sent: 2, failed: 0 });
    const mail = await delivered(eventId);
    expect(mail.map((r) => r.user_id)).toEqual(holders);
    for (const row of mail) {
      expect(row.subject).toBe('Cancelled: A concert');
      expect(row.body).toContain('The band split up');
    }
    // Refunding the orders (the cancellation job) and dispatching again tell nobody twice.
    expect((await t.service.runCancellations()).refunded).toBe(3);
    expect(await t.service.dispatchNotifications()).toEqual({ sent: 0, failed: 0 });
    expect(await delivered(eventId)).toHaveLength(2);
  });

  it('tells every holder the new time when an event is rescheduled', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const holder = await purchase(t, eventId, tierId, 2);
    const messageId = `events:${randomUUID()}`;
    const startsAt = await reschedule(t, eventId, messageId);
    await reschedule(t, eventId, messageId);
    expect(await t.service.dispatchNotifications()).toEqual({ sent: 1, failed: 0 });
    const [row, ...rest] = await delivered(eventId);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      user_id: holder.id,
      kind: 'EVENT_RESCHEDULED',
      subject: 'New date: A concert',
    });
    expect(row!.body).toContain(startsAt.toUTCString());
  });

  it('retries a failed delivery later, with backoff, and delivers it once', async () => {
    const sent: Notification[] = [];
    let failures = 1;
    const flaky: Notifier = {
      send: async (notification) => {
        if (failures-- > 0) throw new Error('mail server down');
        sent.push(notification);
      },
    };
    await t.restart({ deps: { notifier: flaky } });
    try {
      const { eventId, tierId } = await eventWithTier(t);
      const holder = await purchase(t, eventId, tierId);
      await reschedule(t, eventId);
      expect(await t.service.dispatchNotifications()).toEqual({ sent: 0, failed: 1 });
      expect(await queued(eventId)).toMatchObject([
        { attempts: 1, sent_at: null, last_error: 'Error: mail server down' },
      ]);
      expect(await t.service.dispatchNotifications()).toEqual({ sent: 0, failed: 0 }); // not due yet
      await t.sql`update tickets.notification_outbox set next_attempt_at = now() where event_id = ${eventId}`;
      expect(await t.service.dispatchNotifications()).toEqual({ sent: 1, failed: 0 });
      expect(sent.map((n) => [n.userId, n.kind])).toEqual([[holder.id, 'EVENT_RESCHEDULED']]);
      expect((await queued(eventId))[0]!.sent_at).not.toBeNull();
    } finally {
      await t.restart();
    }
  });

  it('e-mails holders through SMTP when SMTP_URL is set, on its own once a message arrives', async () => {
    const smtp = await startSmtpServer();
    await t.restart({
      env: { SMTP_URL: smtp.url, SMTP_FROM: 'Marquee <tickets@marquee.test>' },
      deps: { workers: { notifications: true } },
    });
    try {
      const { eventId, tierId } = await eventWithTier(t);
      const holders = [await purchase(t, eventId, tierId), await purchase(t, eventId, tierId)];
      await reschedule(t, eventId);
      await eventually(async () => expect(smtp.received).toHaveLength(2));
      expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(
        holders.map((h) => `${h.id}@users.marquee.test`).sort(),
      );
      for (const mail of smtp.received) {
        expect(mail.from).toBe('tickets@marquee.test');
        expect(mail.data).toContain('Subject: New date: A concert');
        expect(mail.data).toContain('X-Marquee-Kind: EVENT_RESCHEDULED');
      }
      await eventually(async () =>
        expect((await queued(eventId)).every((r) => r.sent_at !== null)).toBe(true),
      );
      expect(await delivered(eventId)).toEqual([]); // the table adapter is not used

      smtp.refuse(true);
      await reschedule(t, eventId);
      await eventually(async () =>
        expect((await queued(eventId)).filter((r) => r.last_error?.includes('554'))).toHaveLength(2),
      );
      expect(smtp.received).toHaveLength(2);
    } finally {
      await t.restart();
      await smtp.close();
    }
  });
});
