import { Counter, type Registry } from 'prom-client';

/** Business counters on /metrics. Each is counted once its transaction committed. */
export class TicketsMetrics {
  private readonly ticketsSold: Counter;
  private readonly holdsExpired: Counter;
  private readonly checkoutsFailed: Counter<'reason'>;

  constructor(registry: Registry) {
    this.ticketsSold = new Counter({
      name: 'tickets_sold_total',
      help: 'Tickets issued by confirmed checkouts',
      registers: [registry],
    });
    this.holdsExpired = new Counter({
      name: 'tickets_holds_expired_total',
      help: 'Holds that ran out and gave their seats back (swept, or expired to make room)',
      registers: [registry],
    });
    this.checkoutsFailed = new Counter({
      name: 'tickets_checkouts_failed_total',
      help: 'Checkouts that ended in a CONFLICT (or were failed by recovery), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  sold(tickets: number) {
    if (tickets > 0) this.ticketsSold.inc(tickets);
  }

  expired(holds: number) {
    if (holds > 0) this.holdsExpired.inc(holds);
  }

  checkoutFailed(reason: string) {
    this.checkoutsFailed.inc({ reason });
  }
}

/** The reason a checkout's CONFLICT carries (extensions.reason), if it is one. */
export function conflictReason(error: unknown): string | undefined {
  const extensions = (error as { extensions?: { code?: unknown; reason?: unknown } })?.extensions;
  return extensions?.code === 'CONFLICT' && typeof extensions.reason === 'string'
    ? extensions.reason
    : undefined;
}
