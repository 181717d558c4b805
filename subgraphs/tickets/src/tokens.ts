/** What the service was started with (TicketsModuleOptions); modules take their part of it. */
export const OPTIONS = Symbol('TicketsModuleOptions');
export const DB = Symbol('TicketsDatabase');
export const CONFIG = Symbol('TicketsConfig');
/** Something to nudge after a transaction that wrote the outbox committed (the OutboxRelay). */
export const OUTBOX_KICK = Symbol('OutboxKick');
export const PAYMENT_PROVIDER = Symbol('PaymentProvider');
export const BREAKER_OPTIONS = Symbol('BreakerOptions');
export const LOGGER = Symbol('Logger');

export interface OutboxKick {
  kick(): void;
}
export const NOTIFIER = Symbol('Notifier');
