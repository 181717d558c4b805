import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type postgres from 'postgres';

const tracer = trace.getTracer('@marquee/db');
const OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK']);

/** What the pool is doing, as far as the client can tell (postgres.js keeps its queues private). */
export interface PoolStats {
  max: number;
  /** Statements outside a transaction that were sent and not answered yet. */
  statements: number;
  /** Open transactions: each holds a connection until it ends. */
  transactions: number;
}

type PendingQuery = PromiseLike<unknown> & { then: Promise<unknown>['then'] };
type Client = postgres.Sql | postgres.TransactionSql;

/**
 * The postgres.js client as services use it (and drizzle gets it): inside a trace, every
 * statement is a `db.query` span (the parameterised text, never the values) and every
 * transaction a `db.transaction` span around its statements; work outside any trace (outbox
 * polls, sweeps) starts none, as probes would otherwise flood the exporter. The counts behind
 * the pool metrics are kept either way. Nothing else changes.
 */
export function tracedClient(sql: postgres.Sql, attributes: Attributes, stats: PoolStats): postgres.Sql {
  return instrument(sql, attributes, stats, false);
}

function instrument<C extends Client>(client: C, attributes: Attributes, stats: PoolStats, inTx: boolean): C {
  const track = (delta: number) => (inTx ? undefined : (stats.statements += delta));
  const transaction =
    (method: 'begin' | 'savepoint') =>
    (...args: unknown[]) => {
      const work = args.pop() as (tx: postgres.TransactionSql) => unknown;
      const span = startSpan('db.transaction', attributes);
      if (!inTx) stats.transactions += 1;
      const begin = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      const run = () =>
        begin(...args, (tx: postgres.TransactionSql) => work(instrument(tx, attributes, stats, true)));
      // The callback runs after BEGIN inside postgres.js' async function, in this context.
      const result = span ? context.with(trace.setSpan(context.active(), span), run) : run();
      return ended(result, span, () => {
        if (!inTx) stats.transactions -= 1;
      });
    };
  return new Proxy(client, {
    // sql`...`: a tagged template is a statement; sql(value) builds a fragment, left alone.
    apply(target, self, args: unknown[]) {
      const result = Reflect.apply(target as (...a: unknown[]) => unknown, self, args);
      const strings = args[0] as TemplateStringsArray | undefined;
      if (!Array.isArray(strings) || !('raw' in strings)) return result;
      const text = strings.reduce((all, part, i) => `${all}$${i}${part}`);
      return traceStatement(result as PendingQuery, text, attributes, track);
    },
    get(target, property) {
      if (property === 'unsafe')
        return (text: string, ...rest: unknown[]) =>
          traceStatement(
            (target.unsafe as (...a: unknown[]) => PendingQuery)(text, ...rest),
            text,
            attributes,
            track,
          );
      if (property === 'begin' || property === 'savepoint') return transaction(property);
      return Reflect.get(target, property);
    },
  });
}

/** The span starts when the statement is executed (postgres.js runs it on the first `then`). */
function traceStatement<Q extends PendingQuery>(
  query: Q,
  text: string,
  attributes: Attributes,
  track: (delta: number) => void,
): Q {
  const then = query.then;
  let settled: Promise<unknown> | undefined;
  const run = () => {
    const operation = text.trimStart().split(/\s/, 1)[0]!.toUpperCase();
    const span = startSpan('db.query', {
      ...attributes,
      'db.statement': text.length > 4_000 ? `${text.slice(0, 4_000)}...` : text,
      'db.operation': OPERATIONS.has(operation) ? operation : 'OTHER',
    });
    track(1);
    return ended(
      then.call(query, (value: unknown) => value),
      span,
      () => track(-1),
    );
  };
  Object.defineProperty(query, 'then', {
    configurable: true,
    value: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      (settled ??= run()).then(onFulfilled, onRejected),
  });
  return query;
}

/** A child of the active span; none outside a trace. */
function startSpan(name: string, attributes: Attributes): Span | undefined {
  if (!trace.getSpan(context.active())) return undefined;
  return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
}

function ended<T>(work: Promise<T>, span: Span | undefined, done: () => void): Promise<T> {
  return work.then(
    (value) => {
      done();
      span?.end();
      return value;
    },
    (error: unknown) => {
      done();
      const code = (error as { code?: unknown })?.code;
      if (typeof code === 'string') span?.setAttribute('db.response.status_code', code);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      span?.end();
      throw error;
    },
  );
}
