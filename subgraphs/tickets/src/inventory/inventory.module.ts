import { Module } from '@nestjs/common';
import { InventoryRepository } from './inventory.repository.js';

/** The only writer of tier counters (and their ledger), for every feature that moves seats. */
@Module({ providers: [InventoryRepository], exports: [InventoryRepository] })
export class InventoryModule {}
