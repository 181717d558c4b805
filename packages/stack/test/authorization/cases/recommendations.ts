import { randomUUID } from 'node:crypto';
import { dig, entitiesOfUser, exists, type Case } from '../case.js';

export const recommendationsCases: Record<string, Case> = {
  recordEventView: {
    async prepare(w) {
      // Any well-formed id is recorded (the catalog may lag behind events), so each cell has its own.
      const eventId = randomUUID();
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
