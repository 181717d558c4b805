/** One message to one ticket holder. `id` is stable: a redelivery carries the same one. */
export interface Notification {
  id: string;
  kind: 'EVENT_CANCELLED' | 'EVENT_RESCHEDULED';
  userId: string;
  eventId: string;
  subject: string;
  body: string;
}

/**
 * The port ticket-holder notifications go out through. Delivery is at least once (a crash
 * between sending and recording it sends again); adapters dedupe on `id` where they can.
 * Throwing means "not delivered": the dispatcher tries again later.
 */
export interface Notifier {
  send(notification: Notification): Promise<void>;
  close?(): Promise<void>;
}
