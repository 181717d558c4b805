export * from './identity.js';
export * from './verify.js';
export * from './internal.js';
export * from './client-address.js';
