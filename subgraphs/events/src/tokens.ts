export const DB = Symbol('EventsDatabase');
/** The outbox relay, kicked after every commit that wrote the outbox. */
export const RELAY = Symbol('OutboxRelay');

export interface RelayKick {
  kick(): void;
}
