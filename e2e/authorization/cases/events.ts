import { dig, entitiesOfUser, exists, type Case } from '../case.js';

const eventInput = (title: string, venueId: string) => {
  const starts = new Date(Date.now() + 60 * 24 * 3_600_000);
  return {
    title,
    description: 'Made by the authorisation matrix',
    startsAt: starts.toISOString(),
    endsAt: new Date(starts.getTime() + 3_600_000).toISOString(),
    timezone: 'Europe/Berlin',
    categories: ['music'],
    venueId,
  };
};

export const eventsCases: Record<string, Case> = {
  createVenue: {
    async prepare(w) {
      const name = w.unique('Matrix Hall');
      return {
        variables: {
          input: { name, address: '1 Matrix Way', city: 'Berlin', country: 'DE', capacity: 100 },
        },
        value: (d) => dig(d, 'createVenue', 'id'),
        written: () => exists(w.sql`select 1 from events.venues where name = ${name}`),
      };
    },
  },
  createEvent: {
    async prepare(w) {
      const title = w.unique('Matrix event');
      return {
        variables: { input: eventInput(title, w.venueId) },
        value: (d) => dig(d, 'createEvent', 'id'),
        written: () => exists(w.sql`select 1 from events.events where title = ${title}`),
      };
    },
  },
  updateEvent: {
    async prepare(w) {
      const id = await w.newDraftEvent();
      const title = w.unique('Renamed');
      return {
        variables: { id, input: { title } },
        value: (d) => dig(d, 'updateEvent', 'id'),
        written: () => exists(w.sql`select 1 from events.events where id = ${id} and title = ${title}`),
      };
    },
  },
  publishEvent: {
    async prepare(w) {
      const id = await w.newDraftEvent();
      return {
        variables: { id },
        value: (d) => dig(d, 'publishEvent', 'id'),
        written: () => exists(w.sql`select 1 from events.events where id = ${id} and status = 'PUBLISHED'`),
      };
    },
  },
  cancelEvent: {
    async prepare(w) {
      const id = await w.newPublishedEvent();
      return {
        variables: { id, reason: 'The matrix says so' },
        value: (d) => dig(d, 'cancelEvent', 'id'),
        written: () => exists(w.sql`select 1 from events.events where id = ${id} and status = 'CANCELLED'`),
      };
    },
  },
  event: {
    async prepare(w) {
      return { variables: { id: w.draftEventId }, value: (d) => dig(d, 'event', 'id') };
    },
  },
  'User.organizedEvents': {
    document: `query($id: ID!) { user(id: $id) { organizedEvents(first: 100) { edges { node { id status } } } } }`,
    direct: entitiesOfUser('organizedEvents(first: 100) { edges { node { id } } }'),
    async prepare(w) {
      return {
        variables: { id: w.people.organizer.id },
        // The DRAFT event among O's events, when the caller may see it.
        value: (d) => {
          const edges = dig(d, 'user', 'organizedEvents', 'edges') as { node: { id: string } }[] | undefined;
          return edges?.find((e) => e.node.id === w.draftEventId) ?? null;
        },
      };
    },
  },
};
