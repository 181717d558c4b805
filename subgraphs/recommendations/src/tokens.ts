export const DB = Symbol('RecommendationsDatabase');
/** `{ kick(): void }`: wakes the outbox relay after a commit that wrote the outbox. */
export const RELAY = Symbol('OutboxRelay');

/** The service's clock (tests pin it). */
export type Clock = () => Date;
export interface RelayKick {
  kick(): void;
}
