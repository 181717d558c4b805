/**
 * Ranking quality with one held-out relevant item per user (leave-last-out): precision@k is
 * 1/k on a hit, recall@k is the hit rate, NDCG@k is 1/log2(rank + 1) (the ideal DCG is 1).
 */
export interface Metrics {
  precisionAt5: number;
  recallAt10: number;
  ndcgAt10: number;
}

/** The metrics of one ranked list for one relevant item. */
export function scoreList(ranked: readonly string[], relevant: string): Metrics {
  const rank = ranked.indexOf(relevant) + 1; // 0: missing
  return {
    precisionAt5: rank >= 1 && rank <= 5 ? 1 / 5 : 0,
    recallAt10: rank >= 1 && rank <= 10 ? 1 : 0,
    ndcgAt10: rank >= 1 && rank <= 10 ? 1 / Math.log2(rank + 1) : 0,
  };
}

/** The mean over users, rounded to 6 places so the report is byte-stable. */
export function meanMetrics(all: readonly Metrics[]): Metrics {
  const mean = (pick: (m: Metrics) => number) =>
    all.length === 0 ? 0 : Math.round((all.reduce((s, m) => s + pick(m), 0) / all.length) * 1e6) / 1e6;
  return {
    precisionAt5: mean((m) => m.precisionAt5),
    recallAt10: mean((m) => m.recallAt10),
    ndcgAt10: mean((m) => m.ndcgAt10),
  };
}
