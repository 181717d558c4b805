import { Module } from '@nestjs/common';
import type { TicketsModuleOptions } from '../core.module.js';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { NOTIFIER, OPTIONS } from '../tokens.js';
import { DispatchWorker } from './dispatch.worker.js';
import { HolderNotifications } from './holder-notifications.js';
import type { Notifier } from './notifier.js';
import { NotificationsRepository } from './notifications.repository.js';
import { SmtpNotifier } from './smtp-notifier.js';
import { TableNotifier } from './table-notifier.js';

/** The Notifier: the one the service was given, else SMTP when SMTP_URL is set, else the table. */
const notifier = {
  provide: NOTIFIER,
  inject: [OPTIONS, NotificationsRepository],
  useFactory: ({ notifier, env }: TicketsModuleOptions, repository: NotificationsRepository): Notifier =>
    notifier ??
    (env.SMTP_URL
      ? new SmtpNotifier({ url: env.SMTP_URL, from: env.SMTP_FROM, recipient: env.NOTIFY_RECIPIENT })
      : new TableNotifier(repository)),
};

@Module({
  imports: [EventDirectoryModule],
  providers: [NotificationsRepository, notifier, DispatchWorker, HolderNotifications],
  exports: [HolderNotifications],
})
export class NotificationsModule {}
