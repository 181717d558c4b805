import type { Case } from '../case.js';
import { eventsCases } from './events.js';
import { recommendationsCases } from './recommendations.js';
import { ticketsCases } from './tickets.js';
import { usersCases } from './users.js';

/** How each matrix row is exercised, by its `operation`. */
export const CASES: Record<string, Case> = {
  ...usersCases,
  ...eventsCases,
  ...ticketsCases,
  ...recommendationsCases,
};
