export { startStack, type Stack, type StackOptions } from './stack.js';
export { seedDemo } from './seed/seed.js';
export { ApiClient } from './seed/client.js';
export { demoEvents } from './seed/demo-data.js';
