/**
 * One client's subscription, whatever carries it (a graphql-ws socket or an SSE response).
 * The hub hands every subscriber of a topic the same serialised payload; a subscriber only
 * frames it (graphql-ws needs its own operation id around it) and writes it.
 */
export interface Subscriber {
  /** `payloadJson` is `{"data":...}` already serialised, shared by all subscribers. */
  next(payloadJson: string): void;
  error(errorsJson: string): void;
  complete(): void;
}

/** Slow consumers: above this many buffered bytes a socket only keeps the latest payload. */
export const HIGH_WATER_BYTES = 256 * 1024;
/** Above this the consumer is hopeless and is disconnected. */
export const HARD_LIMIT_BYTES = 8 * 1024 * 1024;

export interface Buffered {
  /** Bytes queued in the transport and not yet written to the network. */
  bufferedAmount(): number;
  write(frame: string): void;
  /** Called when the transport has drained, so a held-back payload can go out. */
  onDrain(listener: () => void): void;
  overflow(): void;
}

/**
 * Bounded memory per subscriber: while the transport is backed up, newer payloads replace the
 * one waiting (availability is a state, so the latest is all a client needs); past the hard
 * limit the subscriber is dropped. Memory per subscriber is thus at most one payload.
 */
export class LatestOnlyWriter {
  private pending: string | undefined;
  private waiting = false;

  constructor(private readonly transport: Buffered) {}

  send(frame: string) {
    const buffered = this.transport.bufferedAmount();
    if (buffered > HARD_LIMIT_BYTES) {
      this.transport.overflow();
      return;
    }
    if (buffered <= HIGH_WATER_BYTES && !this.pending) {
      this.transport.write(frame);
      return;
    }
    this.pending = frame;
    if (!this.waiting) {
      this.waiting = true;
      this.transport.onDrain(() => {
        this.waiting = false;
        const frameToSend = this.pending;
        this.pending = undefined;
        if (frameToSend) this.send(frameToSend);
      });
    }
  }

  /** Frames that must not be replaced (errors, completion) go out in order after the latest payload. */
  sendFinal(frame: string) {
    if (this.pending) {
      this.transport.write(this.pending);
      this.pending = undefined;
    }
    this.transport.write(frame);
  }
}
