import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { RefundsRepository } from './refunds.repository.js';
import { RefundsResolver } from './refunds.resolver.js';
import { RefundsService } from './refunds.service.js';

@Module({
  imports: [InventoryModule, OrdersModule, PaymentsModule],
  providers: [RefundsRepository, RefundsService, RefundsResolver],
  // The cancellation job refunds every order of a cancelled event.
  exports: [RefundsService],
})
export class RefundsModule {}
