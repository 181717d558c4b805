import { marqueeTestConfig } from '../../vitest.shared.js';

export default marqueeTestConfig({ globalSetup: ['./test/global-setup.ts'] });
