/** A domain event as it travels between services. */
export interface BusMessage {
  /** Unique per message: `<source service>:<outbox row id>`. Consumers dedupe on it. */
  id: string;
  topic: string;
  payload: unknown;
  occurredAt: string;
}

export type Handler = (message: BusMessage) => Promise<void>;
export type Unsubscribe = () => Promise<void>;

/**
 * The port every service talks to. Delivery is at least once, per consumer group: each
 * service subscribes under its own group name, and the replicas of one service share the
 * group's messages. Handlers must therefore be idempotent (see `consumeOnce`).
 */
export interface Bus {
  publish(message: BusMessage): Promise<void>;
  subscribe(topic: string, group: string, handler: Handler): Promise<Unsubscribe>;
  /**
   * Fan-out to every listening process, at most once, nothing kept: for live signals such as
   * "availability of event X changed", where a listener that missed one re-reads the state.
   */
  broadcast(channel: string, payload: unknown): Promise<void>;
  /** Listens to one broadcast channel; the channel exists only while someone listens. */
  listen(channel: string, handler: (payload: unknown) => void): Promise<Unsubscribe>;
  /** Broadcast channels this process listens to (tests check nothing leaks). */
  listeningChannels(): string[];
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface BusLogger {
  error(object: object, message: string): void;
  warn?(object: object, message: string): void;
}

export const consoleLogger: BusLogger = {
  error: (object, message) => console.error(message, object),
};
