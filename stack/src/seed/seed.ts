import { existsSync } from 'node:fs';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '@marquee/users';
import { ApiClient } from './client.js';
import { CURRENCY_BY_COUNTRY, DEMO_VENUES, demoEvents } from './demo-data.js';

const DAY = 86_400_000;

async function whileExists(path: string) {
  while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 50));
}

const account = (email: string) => DEMO_ACCOUNTS.find((a) => a.email === email)!;

/**
 * Demo data: the three demo accounts (straight into the users database: nobody can grant the
 * first ADMIN through the API), then venues, events and tiers through the gateway as the demo
 * organizer, and a few views and purchases so recommendations have something to say.
 * Idempotent: a catalogue that already has events is left alone.
 */
export async function seedDemo(options: {
  gatewayUrl: string;
  databaseUrl: string;
  nodeEnv: string;
  now?: Date;
  /**
   * While this file exists the seed waits after its first event: how the end-to-end suites
   * look at a start that is still seeding (and stop it there) without racing a fast seed.
   */
  pauseFile?: string;
}) {
  await seedDemoAccounts(options.databaseUrl, options.nodeEnv);
  const api = new ApiClient(options.gatewayUrl);
  if ((await catalogueSize(options.gatewayUrl)) > 0) return { created: 0 };

  const organizer = account('organizer@marquee.test');
  const { token } = await api.signIn(organizer.email, organizer.password);
  const asOrganizer = api.as(token);
  const venueIds = new Map<string, string>();
  for (const venue of DEMO_VENUES) {
    const { key: _key, timezone: _tz, ...input } = venue;
    const data = await asOrganizer.request<{ createVenue: { id: string } }>(
      `mutation CreateVenue($input: CreateVenueInput!) { createVenue(input: $input) { id } }`,
      { input },
    );
    venueIds.set(venue.key, data.createVenue.id);
  }

  const now = options.now ?? new Date();
  const eventIds: string[] = [];
  for (const event of demoEvents()) {
    const venue = DEMO_VENUES.find((v) => v.key === event.venueKey)!;
    const day = new Date(now.getTime() + event.startsInDays * DAY);
    const startsAt = new Date(
      Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), event.hour),
    );
    const endsAt = new Date(startsAt.getTime() + event.durationHours * 3_600_000);
    const created = await asOrganizer.request<{ createEvent: { id: string } }>(
      `mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
      {
        input: {
          title: event.title,
          description: event.description,
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          timezone: venue.timezone,
          categories: event.categories,
          venueId: venueIds.get(venue.key),
        },
      },
    );
    const eventId = created.createEvent.id;
    for (const tier of event.tiers) {
      await asOrganizer.request(
        `mutation AddTier($eventId: ID!, $input: TierInput!) { addTicketTier(eventId: $eventId, input: $input) { id } }`,
        { eventId, input: { ...tier, currency: CURRENCY_BY_COUNTRY[venue.country] ?? 'EUR' } },
      );
    }
    await asOrganizer.request(`mutation Publish($id: ID!) { publishEvent(id: $id) { id } }`, { id: eventId });
    eventIds.push(eventId);
    if (eventIds.length === 1 && options.pauseFile) await whileExists(options.pauseFile);
  }

  await seedActivity(api, eventIds);
  return { created: eventIds.length };
}

/** How many published events the catalogue has. */
export async function catalogueSize(gatewayUrl: string): Promise<number> {
  const data = await new ApiClient(gatewayUrl).request<{ events: { totalCount: number } }>(
    `{ events(first: 1) { totalCount } }`,
  );
  return data.events.totalCount;
}

/** The demo attendee likes music; an anonymous visitor makes a few events trend. */
async function seedActivity(api: ApiClient, eventIds: string[]) {
  const attendee = account('attendee@marquee.test');
  const { token } = await api.signIn(attendee.email, attendee.password);
  const asAttendee = api.as(token);
  const VIEW = `mutation View($eventId: ID!) { recordEventView(eventId: $eventId) }`;
  // Recommendations hear of new events over the bus: a view it cannot place yet is NOT_FOUND.
  const view = async (client: ApiClient, eventId: string | undefined) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.request(VIEW, { eventId });
      } catch (error) {
        if (attempt >= 100 || !String(error).includes('NOT_FOUND')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  // Event i has category i % 8: 0 = music, 1 = jazz. A visitor counts once per event and day.
  for (const i of [0, 8, 16, 1, 9]) await view(asAttendee, eventIds[i]);
  for (const i of [2, 3, 10, 11, 4]) await view(api, eventIds[i]);

  const tiers = await api.request<{ event: { ticketTiers: { id: string }[] } }>(
    `query Tiers($id: ID!) { event(id: $id) { ticketTiers { id } } }`,
    { id: eventIds[0] },
  );
  const reservation = await asAttendee.request<{ reserveTickets: { id: string } }>(
    `mutation Reserve($eventId: ID!, $items: [ReservationItemInput!]!, $key: String!) {
      reserveTickets(eventId: $eventId, items: $items, idempotencyKey: $key) { id } }`,
    {
      eventId: eventIds[0],
      items: [{ tierId: tiers.event.ticketTiers[0]!.id, quantity: 2 }],
      key: 'demo-seed-1',
    },
  );
  await asAttendee.request(
    `mutation Checkout($id: ID!, $key: String!) { checkout(reservationId: $id, paymentToken: "tok_ok", idempotencyKey: $key) { id } }`,
    { id: reservation.reserveTickets.id, key: 'demo-seed-checkout-1' },
  );
}
