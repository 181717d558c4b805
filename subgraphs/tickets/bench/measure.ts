import type { BenchWorld } from './bench-world.js';

export interface PoolRun {
  outcomes: string[];
  latenciesMs: number[];
  durationMs: number;
}

/** Runs `work` over `items` with at most `inFlight` at a time; records outcome and latency of each. */
export async function pool<T>(
  items: T[],
  inFlight: number,
  work: (item: T) => Promise<string>,
): Promise<PoolRun> {
  const outcomes: string[] = new Array(items.length);
  const latenciesMs: number[] = new Array(items.length);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      const t0 = performance.now();
      try {
        outcomes[i] = await work(items[i]!);
      } catch (error) {
        outcomes[i] = `THROWN: ${String(error).slice(0, 80)}`;
      }
      latenciesMs[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, lane));
  return { outcomes, latenciesMs, durationMs: performance.now() - started };
}

/** Busy time of this (the server's) thread and CPU time of the whole process while `work` ran. */
export async function metered<T>(work: () => Promise<T>) {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const result = await work();
  const busy = performance.eventLoopUtilization(elu);
  const used = process.cpuUsage(cpu);
  return { result, serverThreadBusyMs: busy.active, processCpuMs: (used.user + used.system) / 1000 };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10
    : 0;

/** Counts by outcome, rates per second, latency percentiles, and CPU per request. */
export function summarise(
  run: PoolRun,
  requests: number,
  cost?: { serverThreadBusyMs: number; processCpuMs: number },
) {
  const outcomes: Record<string, number> = {};
  for (const o of run.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
  const seconds = run.durationMs / 1000;
  const perSecond = Object.fromEntries(
    Object.entries(outcomes).map(([k, n]) => [k, Math.round(n / seconds)]),
  );
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    requests,
    durationMs: Math.round(run.durationMs),
    outcomes,
    perSecond,
    latencyMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) },
    ...(cost
      ? {
          serverThreadBusyMsPerRequest: Math.round((cost.serverThreadBusyMs / requests) * 1000) / 1000,
          processCpuMsPerRequest: Math.round((cost.processCpuMs / requests) * 1000) / 1000,
        }
      : {}),
  };
}

/**
 * One tier's counters as the database has them, the same recomputed from the ledger, what
 * the holds and tickets tables say, and by how much the tier is oversold (must be 0).
 */
export async function inventoryCheck(w: BenchWorld, tierId: string) {
  const [row] = await w.sql`
    select t.capacity, t.sold, t.held,
      (select coalesce(sum(sold_delta), 0)::int from tickets.inventory_ledger where tier_id = t.id) as ledger_sold,
      (select coalesce(sum(held_delta), 0)::int from tickets.inventory_ledger where tier_id = t.id) as ledger_held,
      (select count(*)::int from tickets.tickets k where k.tier_id = t.id and k.status <> 'VOID') as tickets,
      (select coalesce(sum(i.quantity), 0)::int from tickets.reservation_items i
         join tickets.reservations r on r.id = i.reservation_id
         where i.tier_id = t.id and r.status = 'HELD') as live_holds
    from tickets.ticket_tiers t where t.id = ${tierId}`;
  if (!row) throw new Error(`no tier ${tierId}`);
  return {
    sold: row.sold as number,
    held: row.held as number,
    ticketsIssued: row.tickets as number,
    oversold: Math.max(0, row.sold + row.held - row.capacity, row.tickets - row.capacity),
    ledgerMatchesCounters:
      row.ledger_sold === row.sold &&
      row.ledger_held === row.held &&
      row.tickets === row.sold &&
      row.live_holds === row.held,
  };
}
