import { pgGlobalSetup } from '@marquee/db/testing';
import { eventsMigrations } from '@marquee/events';
import { recommendationsMigrations } from '@marquee/recommendations';
import { ticketsMigrations } from '@marquee/tickets';
import { usersMigrations } from '@marquee/users';

export default pgGlobalSetup([
  usersMigrations,
  eventsMigrations,
  ticketsMigrations,
  recommendationsMigrations,
]);
