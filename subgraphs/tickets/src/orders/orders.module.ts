import { Module } from '@nestjs/common';
import { EventDirectoryModule } from '../event-directory/event-directory.module.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersResolver, TicketResolver, UserOrdersResolver } from './orders.resolver.js';
import { OrdersService } from './orders.service.js';

@Module({
  imports: [EventDirectoryModule],
  providers: [OrdersRepository, OrdersService, OrdersResolver, TicketResolver, UserOrdersResolver],
  // OrdersService for its access rule (who may see or refund an order).
  exports: [OrdersRepository, OrdersService],
})
export class OrdersModule {}
