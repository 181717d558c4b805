import { pgGlobalSetup } from '@marquee/db/testing';
import { ticketsMigrations } from '../src/service.js';

export default pgGlobalSetup([ticketsMigrations]);
