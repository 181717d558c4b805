import { pgGlobalSetup } from '@marquee/db/testing';
import { usersMigrations } from '../src/service.js';

export default pgGlobalSetup([usersMigrations]);
