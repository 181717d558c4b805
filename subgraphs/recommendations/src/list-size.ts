import { badInput } from '@marquee/subgraph-kit';
import { MAX_LIST_SIZE } from './scoring/signals.js';

/** `first` as every list here takes it: default when absent, above 50 capped silently, negative refused. */
export function listSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0) {
    throw badInput(`first must be between 0 and ${MAX_LIST_SIZE}`, 'first');
  }
  return Math.min(size, MAX_LIST_SIZE);
}
