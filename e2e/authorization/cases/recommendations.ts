import { dig, entitiesOfUser, exists, type Case } from '../case.js';

export const recommendationsCases: Record<string, Case> = {
  recordEventView: {
    async prepare(w) {
      // Only events the recommendations catalog holds as PUBLISHED can be viewed, and a viewer
      // counts once a day per event: each cell views a fresh one, once the catalog has it.
      const eventId = await w.newPublishedEvent();
      await w.stack.settle();
      return {
        variables: { eventId },
        value: (d) => dig(d, 'recordEventView'),
        written: () => exists(w.sql`select 1 from recommendations.interactions where event_id = ${eventId}`),
      };
    },
  },
  'User.recommendedEvents': {
    document: `query($id: ID!) { user(id: $id) { recommendedEvents(first: 3) { score event { id } } } }`,
    direct: entitiesOfUser('recommendedEvents(first: 3) { score }'),
    async prepare(w) {
      return { variables: { id: w.people.attendee.id }, value: (d) => dig(d, 'user', 'recommendedEvents') };
    },
  },
};
