import { fileURLToPath } from 'node:url';
import { pgGlobalSetup } from '../src/testing.js';

export default pgGlobalSetup([
  { schema: 'dbtest', folder: fileURLToPath(new URL('./drizzle', import.meta.url)) },
]);
