export * from './identity.js';
export * from './verify.js';
export * from './internal.js';
