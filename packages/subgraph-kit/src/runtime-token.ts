/** Injection token of the ServiceRuntime (its own module: ops.ts and health.ts both need it). */
export const RUNTIME = Symbol('ServiceRuntime');
