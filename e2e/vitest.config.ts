import { marqueeTestConfig } from '../vitest.shared.js';

export default marqueeTestConfig({
  include: ['**/*.spec.ts'],
  globalSetup: ['./global-setup.ts'],
  testTimeout: 60_000,
});
