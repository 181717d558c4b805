export const DB = Symbol('RecommendationsDatabase');
/** `{ kick(): void }`: wakes the outbox relay after a commit that wrote the outbox. */
export const RELAY = Symbol('OutboxRelay');
/** The ViewClientKeyer (views/view-client.ts) under this deployment's secret. */
export const VIEW_CLIENTS = Symbol('ViewClientKeyer');

/** The service's clock (tests pin it). */
export type Clock = () => Date;
export interface RelayKick {
  kick(): void;
}
