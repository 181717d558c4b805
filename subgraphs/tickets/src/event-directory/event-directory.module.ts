import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { EventDirectoryRepository } from './event-directory.repository.js';
import { EventDirectory } from './event-directory.service.js';
import { EventsClient } from './events.client.js';

/** What tickets knows of events: the bus-fed directory, and the events subgraph when it must ask. */
@Module({
  imports: [InventoryModule],
  providers: [EventDirectoryRepository, EventsClient, EventDirectory],
  exports: [EventDirectoryRepository, EventDirectory],
})
export class EventDirectoryModule {}
