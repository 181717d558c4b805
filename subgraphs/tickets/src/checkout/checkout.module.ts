import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { OrdersModule } from '../orders/orders.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { ReservationsModule } from '../reservations/reservations.module.js';
import { CheckoutSaga } from './checkout-saga.js';
import { CheckoutRepository } from './checkout.repository.js';
import { CheckoutResolver } from './checkout.resolver.js';
import { CheckoutService } from './checkout.service.js';
import { RecoveryWorker } from './recovery.worker.js';
import { SaleRepository } from './sale.repository.js';

@Module({
  imports: [OrdersModule, ReservationsModule, InventoryModule, PaymentsModule],
  providers: [
    CheckoutRepository,
    SaleRepository,
    CheckoutSaga,
    CheckoutService,
    CheckoutResolver,
    RecoveryWorker,
  ],
})
export class CheckoutModule {}
