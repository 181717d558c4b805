import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { HoldLimitsRepository } from './hold-limits.repository.js';
import { ReservationItemResolver, ReservationsResolver } from './reservations.resolver.js';
import { ReservationsRepository } from './reservations.repository.js';
import { ReservationsService } from './reservations.service.js';
import { SweepWorker } from './sweep.worker.js';

@Module({
  imports: [TiersModule, InventoryModule, EventDirectoryModule],
  providers: [
    ReservationsRepository,
    HoldLimitsRepository,
    ReservationsService,
    ReservationsResolver,
    ReservationItemResolver,
    SweepWorker,
  ],
  exports: [ReservationsRepository],
})
export class ReservationsModule {}
