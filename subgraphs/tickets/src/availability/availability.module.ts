import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { AvailabilityResolver, EventTicketsResolver } from './availability.resolver.js';
import { AvailabilityService } from './availability.service.js';
import { LiveAvailability } from './live.js';

@Module({
  imports: [TiersModule, EventDirectoryModule],
  providers: [AvailabilityService, LiveAvailability, EventTicketsResolver, AvailabilityResolver],
  exports: [LiveAvailability],
})
export class AvailabilityModule {}
