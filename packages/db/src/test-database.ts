import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing.js';

declare module 'vitest' {
  interface ProvidedContext {
    marqueePg: { adminUrl: string; template: string };
  }
}

/** In a test file: a fresh migrated database cloned from the run's template. */
export function freshDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = inject('marqueePg');
  return createTestDatabase(adminUrl, template);
}
