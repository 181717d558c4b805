import { marqueeTestConfig } from '../vitest.shared.js';

export default marqueeTestConfig();
