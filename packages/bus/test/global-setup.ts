import { fileURLToPath } from 'node:url';
import { pgGlobalSetup } from '@marquee/db/testing';

export default pgGlobalSetup([
  { schema: 'bustest', folder: fileURLToPath(new URL('./drizzle', import.meta.url)) },
]);
