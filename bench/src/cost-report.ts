import { ESTIMATORS, type EstimatorName } from './cost-estimators.js';
import type { CostOperation } from './cost-operations.js';

/** One operation as measured: what it did through the Marquee gateway and what each estimator said. */
export interface Row {
  name: string;
  group: CostOperation['group'];
  variables: Record<string, unknown>;
  as?: CostOperation['as'];
  attack?: CostOperation['attack'];
  actualObjects: number;
  bytes: number;
  ms: number;
  estimates: Record<EstimatorName, number | null>;
  /** Only when Hive's answer held a different number of objects (it should not). */
  hiveObjects?: number;
  /** Hive's errors, if any (its estimate then covers only the fetches it made). */
  hiveErrors?: string;
  /** Set when the Marquee gateway refused the operation and the work was counted on Hive's answer. */
  actualFrom?: 'hive';
  marqueeRefused?: string | undefined;
  /** Errors from both gateways: such a row is left out of the statistics. */
  errors?: string;
}

export function summarise(rows: Row[]) {
  const measured = rows.filter((r) => !r.errors);
  const estimators = Object.fromEntries(ESTIMATORS.map((e) => [e, accuracy(measured, e)]));
  const shapes = [...new Set(measured.map(shapeOf))];
  const medianRatioByShape = Object.fromEntries(
    shapes.map((shape) => [
      shape,
      Object.fromEntries(
        ESTIMATORS.map((e) => [
          e,
          round(
            median(
              ratios(
                measured.filter((r) => shapeOf(r) === shape),
                e,
              ).map((x) => x.ratio),
            ),
          ),
        ]),
      ),
    ]),
  );
  return { estimators, medianRatioByShape, attackGrowth: attackGrowth(measured) };
}

const shapeOf = (row: Row) => (row.attack ? `attack/${row.attack.shape}` : 'registered');

function accuracy(rows: Row[], estimator: EstimatorName) {
  const priced = rows.filter((r) => r.estimates[estimator] !== null);
  const all = ratios(priced, estimator);
  const sorted = [...all].sort((a, b) => a.ratio - b.ratio);
  const under = sorted.filter((x) => x.ratio < 1);
  const registered = priced.filter((r) => r.group === 'registered');
  const attacks = priced.filter((r) => r.group === 'attack');
  const rho = (subset: Row[]) =>
    round(
      spearman(
        subset.map((r) => r.actualObjects),
        subset.map((r) => r.estimates[estimator]!),
      ),
    );
  return {
    operations: priced.length,
    spearman: rho(priced),
    spearmanRegistered: rho(registered),
    spearmanAttacks: rho(attacks),
    spearmanBytes: round(
      spearman(
        priced.map((r) => r.bytes),
        priced.map((r) => r.estimates[estimator]!),
      ),
    ),
    ratio: {
      median: round(median(all.map((x) => x.ratio))),
      min: round(sorted[0]?.ratio ?? null),
      max: round(sorted.at(-1)?.ratio ?? null),
      minOperation: sorted[0] ? label(sorted[0].row) : null,
      maxOperation: sorted.at(-1) ? label(sorted.at(-1)!.row) : null,
    },
    underEstimated: {
      count: under.length,
      of: all.length,
      worstRatio: round(under[0]?.ratio ?? null),
      worstOperation: under[0] ? label(under[0].row) : null,
      worstActualObjects: under[0]?.row.actualObjects ?? null,
      worstEstimate: under[0]?.row.estimates[estimator] ?? null,
    },
    withinFactorTwo: all.filter((x) => x.ratio >= 0.5 && x.ratio <= 2).length,
  };
}

/** estimate / actual, for the rows that did any work (an empty answer has no ratio). */
function ratios(rows: Row[], estimator: EstimatorName) {
  return rows
    .filter((r) => r.actualObjects > 0 && r.estimates[estimator] !== null)
    .map((row) => ({ row, ratio: row.estimates[estimator]! / row.actualObjects }));
}

/**
 * Each attack chain (one shape and sizes, k = 1..3): the actual objects and each estimate per
 * k; the median factor each grows by per extra level of nesting; and per estimator its growth
 * divided by the actual growth, step by step (1 = grows as fast as the work, below 1 = falls
 * behind as nesting deepens, above 1 = runs ahead of it).
 */
function attackGrowth(rows: Row[]) {
  const chains = new Map<string, Row[]>();
  for (const row of rows.filter((r) => r.attack)) {
    const { shape, n, m } = row.attack!;
    const key = `${shape} N=${n} M=${m}`;
    chains.set(key, [...(chains.get(key) ?? []), row]);
  }
  const series = ['actualObjects', ...ESTIMATORS] as const;
  const value = (row: Row, name: (typeof series)[number]) =>
    name === 'actualObjects' ? row.actualObjects : row.estimates[name];
  const growth: Record<string, number[]> = Object.fromEntries(series.map((e) => [e, []]));
  const relative: Record<string, number[]> = Object.fromEntries(ESTIMATORS.map((e) => [e, []]));
  const table: Record<string, Record<string, (number | null)[]>> = {};
  for (const [key, chain] of chains) {
    chain.sort((a, b) => a.attack!.k - b.attack!.k);
    table[key] = {
      k: chain.map((r) => r.attack!.k),
      ...Object.fromEntries(series.map((e) => [e, chain.map((r) => value(r, e))])),
    };
    for (let i = 1; i < chain.length; i++) {
      const [before, after] = [chain[i - 1]!, chain[i]!];
      if (!before.actualObjects) continue;
      const actualGrowth = after.actualObjects / before.actualObjects;
      growth.actualObjects!.push(actualGrowth);
      for (const e of ESTIMATORS) {
        const [a, b] = [before.estimates[e], after.estimates[e]];
        if (!a || b === null) continue;
        growth[e]!.push(b / a);
        relative[e]!.push(b / a / actualGrowth);
      }
    }
  }
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      median: round(median(sorted)),
      min: round(sorted[0] ?? null),
      max: round(sorted.at(-1) ?? null),
    };
  };
  return {
    perLevelGrowth: Object.fromEntries(series.map((e) => [e, spread(growth[e]!)])),
    growthVsActual: Object.fromEntries(ESTIMATORS.map((e) => [e, spread(relative[e]!)])),
    chains: table,
  };
}

function label(row: Row) {
  return `${row.name} ${JSON.stringify(row.variables)}`;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Spearman's rho: Pearson's correlation of the ranks (ties share their average rank). */
export function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length < 3) return null;
  const [rx, ry] = [ranks(xs), ranks(ys)];
  const mean = (rx.length + 1) / 2;
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < rx.length; i++) {
    const [dx, dy] = [rx[i]! - mean, ry[i]! - mean];
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : null;
}

function ranks(values: number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.value === order[i]!.value) j++;
    for (let t = i; t <= j; t++) result[order[t]!.index] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return result;
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
