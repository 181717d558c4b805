import { pgGlobalSetup } from '@marquee/db/testing';
import { eventsMigrations } from '../src/service.js';

export default pgGlobalSetup([eventsMigrations]);
