export {
  startTicketsService,
  ticketsMigrations,
  type TicketsDeps,
  type TicketsRunningService,
} from './service.js';
export { ticketsEnvSchema, type TicketsEnv } from './env.js';
export {
  TestPaymentProvider,
  type PaymentProvider,
  type ChargeRequest,
  type ChargeResult,
} from './payments/payment-provider.js';
