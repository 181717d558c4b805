import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RefundsModule } from '../refunds/refunds.module.js';
import { ReservationsModule } from '../reservations/reservations.module.js';
import { CancellationWorker } from './cancellation.worker.js';
import { CancellationsRepository } from './cancellations.repository.js';

@Module({
  imports: [RefundsModule, ReservationsModule, InventoryModule, EventDirectoryModule, NotificationsModule],
  providers: [CancellationsRepository, CancellationWorker],
})
export class CancellationsModule {}
