import type { Notification, Notifier } from './notifier.js';
import type { NotificationsRepository } from './notifications.repository.js';

/** The built-in adapter: delivered notifications are rows of `tickets.notifications`, each once. */
export class TableNotifier implements Notifier {
  constructor(private readonly repository: NotificationsRepository) {}

  send(notification: Notification): Promise<void> {
    return this.repository.recordDelivered(notification);
  }
}
