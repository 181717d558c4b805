import { pgGlobalSetup } from '@marquee/db/testing';
import { recommendationsMigrations } from '../src/service.js';

export default pgGlobalSetup([recommendationsMigrations]);
