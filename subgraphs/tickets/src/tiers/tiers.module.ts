import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { TiersRepository } from './tiers.repository.js';
import { TiersResolver } from './tiers.resolver.js';
import { TiersService } from './tiers.service.js';

@Module({
  imports: [InventoryModule, EventDirectoryModule],
  providers: [TiersRepository, TiersService, TiersResolver],
  exports: [TiersRepository],
})
export class TiersModule {}
